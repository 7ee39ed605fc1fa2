// placeholder translation unit replaced by the workload generator
