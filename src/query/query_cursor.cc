// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/query/query_cursor.h"

#include <algorithm>

#include "fmt/format.h"
#include "src/format/key_coding.h"
#include "src/merge/merging_cursor.h"
#include "src/query/group_by.h"
#include "src/query/key_ranges.h"
#include "src/query/resume_token.h"
#include "src/query/scan_plan.h"
#include "src/util/status_macros.h"

namespace mesa::internal {
namespace {

// Rows per merged batch while seeking: small, since a seek drops the rest
// of the batch; doubled while no seek is needed.
constexpr size_t kMinSeekBatch = 64;

std::vector<ColumnType> KeyTypes(const Schema& schema,
                                 const std::vector<size_t>& cols) {
  std::vector<ColumnType> types;
  for (size_t c : cols) types.push_back(schema.column(c).type);
  return types;
}

std::vector<size_t> Iota(size_t n) {
  std::vector<size_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = i;
  return v;
}

// Whether keys [0, n) of row `r` of `rows` compare below `target`'s.
int CompareToTarget(const RowBatch& rows, size_t r, const RowBatch& target,
                    size_t n) {
  for (size_t c = 0; c < n; ++c) {
    int cmp = CompareValues(rows.column(c), r, target.column(c), 0);
    if (cmp != 0) return cmp;
  }
  return 0;
}

// Whether grouping the unmerged rows of several deltas gives the groups of
// the merged rows: each value's aggregation is the same however its rows
// are combined (integer SUM wraps, MIN and MAX pick one of them; double SUM
// rounds in order, REPLACE needs the versions), and the partition columns
// are numbers (MergingCursor::ByPrefix).
bool UnmergedGroupingExact(const Schema& schema, const ScanPlan& plan) {
  for (size_t c = 0; c < plan.group_prefix; ++c) {
    if (schema.column(c).type == ColumnType::kString) return false;
  }
  if (plan.group_prefix > 8) return false;
  for (const GroupValue& v : plan.group_values) {
    switch (v.aggregation) {
      case Aggregation::kSum:
        if (v.type == ColumnType::kDouble || v.type == ColumnType::kString) {
          return false;
        }
        break;
      case Aggregation::kMin:
      case Aggregation::kMax:
        break;
      default:
        return false;
    }
  }
  return true;
}

class QueryCursor final : public ScanCursor {
 public:
  QueryCursor(QuerySource source, ScanPlan plan, const ScanSpec& spec)
      : src_(std::move(source)),
        schema_(*src_.schema),
        plan_(std::move(plan)),
        ranges_(schema_, plan_.key_predicates),
        batch_rows_(spec.batch_rows),
        allow_seek_(spec.allow_skip_scan),
        out_(plan_.types) {
    for (const ColumnPredicate& p : plan_.merged_predicates) {
      // KeyRanges admits exactly the non-!= key predicates.
      if (p.column >= schema_.num_keys() || p.op == CompareOp::kNe) {
        row_predicates_.push_back(p);
      }
    }
  }

  absl::Status Init(const std::optional<std::string>& resume_key);

  bool Next() override;
  bool NextView() override;
  const RowBatch& batch() const override { return out_; }
  const absl::Status& status() const override { return status_; }
  const std::vector<std::string>& column_names() const override {
    return plan_.names;
  }
  absl::StatusOr<std::string> ResumeToken() const override {
    if (!status_.ok()) return status_;
    return EncodeResumeToken(
        {src_.version, src_.table, plan_.fingerprint, last_key_});
  }
  ScanExplain Explain() const override;

 private:
  // Calls take(r) for each row of the merged input that passes every
  // filter, in key order, until take returns false (more input remains)
  // or the input ends (returns false; done_ or an error).
  template <typename F>
  bool Pump(F&& take);
  bool LoadMerged();
  void RememberLastRow();
  bool NextGrouped();
  // The single_ path; `as_views`: into views_ instead of out_.
  bool NextSingle(bool as_views);

  QuerySource src_;
  const Schema& schema_;
  ScanPlan plan_;
  KeyRanges ranges_;
  const size_t batch_rows_;
  const bool allow_seek_;
  std::vector<ColumnPredicate> row_predicates_;
  std::vector<DeltaExplain> explain_deltas_;
  std::vector<size_t> input_delta_;  // merge input -> explain_deltas_ index
  std::unique_ptr<MergingCursor> merge_;
  // bounded_ with one delta to read: its rows go out with no merge, whole
  // batches handed over without a copy when they fit.
  std::unique_ptr<DeltaCursor> single_;
  // Rows of single_ handed out but not yet advanced past: the views of
  // the last NextView point into its current block until the next call.
  size_t pending_ = 0;
  bool identity_ = false;
  // The key filters admit one interval of keys and the cursors are bounded
  // to it (KeyRanges::Interval): every merged row is admitted.
  bool exact_ = false;
  // exact_, and no other filter and no GROUP BY: merged batches go out as
  // they are (direct_: their columns are the output's) or projected.
  bool bounded_ = false;
  bool direct_ = false;
  bool seeking_ = false;
  size_t merge_rows_ = 0;
  RowBatch merged_;
  size_t mrow_ = 0;
  int64_t last_taken_ = -1;  // row of merged_ last handed out
  bool input_done_ = false;
  RowBatch target_keys_;
  std::string target_;
  // GROUP BY.
  std::unique_ptr<GroupAggregator> agg_;
  RowBatch ready_;
  size_t ready_pos_ = 0;
  bool agg_done_ = false;
  Schema group_schema_;  // the group columns as keys, to decode tokens
  std::optional<std::string> skip_through_;  // groups <= this were sent
  std::optional<std::string> last_key_;
  RowBatch out_;
  absl::Status status_;
  uint64_t rows_merged_ = 0, rows_returned_ = 0, seeks_ = 0;
};

absl::Status QueryCursor::Init(const std::optional<std::string>& resume_key) {
  const size_t nk = schema_.num_keys();
  std::string start = ranges_.Start();
  last_key_ = resume_key;
  bool ended = ranges_.empty();
  if (plan_.grouped) {
    std::vector<ColumnSpec> gcols;
    for (size_t c : plan_.group_keys) gcols.push_back(schema_.column(c));
    MESA_ASSIGN_OR_RETURN(group_schema_, Schema::Create(gcols, {}));
    agg_ = std::make_unique<GroupAggregator>(
        plan_.group_keys, plan_.group_prefix, plan_.group_values,
        KeyTypes(schema_, plan_.group_keys));
    ready_ = RowBatch(agg_->row_types());
  }
  if (resume_key) {
    // Continue after the last row (or group) handed out.
    const Schema& key_schema = plan_.grouped ? group_schema_ : schema_;
    const size_t want = key_schema.num_keys();
    RowBatch last(KeyTypes(key_schema, Iota(want)));
    auto n = DecodeKey(*resume_key, key_schema, &last);
    if (!n.ok() || *n != want) {
      return absl::InvalidArgumentError(fmt::format(
          "resume token for table '{}': its last key does not fit the scan",
          src_.table));
    }
    std::string after;
    if (plan_.grouped && plan_.group_prefix < plan_.group_keys.size()) {
      // The last group's partition is aggregated again; groups up to the
      // last one are dropped as they come out.
      for (size_t c = 0; c < plan_.group_prefix; ++c) {
        AppendKeyPart(last.column(c), 0, &after);
      }
    } else if (!KeySuccessor(last, 0, want, &after)) {
      ended = true;  // the last key was the largest there can be
    }
    if (plan_.grouped) skip_through_ = *resume_key;
    if (after > start) start = std::move(after);
  }

  // Deltas: pruned by key filters on their min/max keys and zone maps.
  CursorOptions options;
  options.projection = Iota(nk);
  for (size_t c : plan_.merge_values) options.projection.push_back(c);
  // Without skip-scan, the baseline reads every row between the first and
  // last possible keys: no seeks, and no pruning of blocks or deltas.
  if (allow_seek_) options.block_filters = plan_.key_predicates;
  // A key interval bounds every delta cursor: none reads or merges a row
  // past its end.
  std::string upper;
  exact_ = allow_seek_ && !ended && ranges_.constrained() &&
           ranges_.Interval(&upper);
  if (exact_) options.upper_bound = upper;
  std::vector<std::unique_ptr<DeltaCursor>> inputs;
  std::vector<const QueryDelta*> read;  // the deltas not pruned
  inputs.reserve(src_.deltas.size());
  read.reserve(src_.deltas.size());
  explain_deltas_.reserve(src_.deltas.size());
  input_delta_.reserve(src_.deltas.size());
  RowBatch min_row;
  for (const QueryDelta& d : src_.deltas) {
    DeltaExplain e;
    e.file_number = d.file_number;
    e.min_version = d.min_version;
    e.max_version = d.max_version;
    e.rows = d.reader->row_count();
    e.blocks = d.reader->num_blocks();
    const DeltaMetaSection& meta = d.reader->meta();
    bool skip = ended || meta.max_key < start ||
                (!upper.empty() && meta.min_key >= upper);
    for (const ColumnPredicate& p : options.block_filters) {
      skip = skip || (p.column < meta.zone_maps.size() &&
                      !meta.zone_maps[p.column].MayMatch(p));
    }
    // One interval: the min/max keys above decided it. Otherwise the
    // first admitted key at or after the delta's smallest may still be
    // past its largest.
    if (!skip && allow_seek_ && !exact_) {
      if (min_row.num_columns() == 0) {
        min_row = RowBatch(KeyTypes(schema_, Iota(nk)));
      }
      min_row.Clear();
      auto n = DecodeKey(meta.min_key, schema_, &min_row);
      if (n.ok() && *n == nk) {
        std::string target;
        switch (ranges_.Next(min_row, 0, &target)) {
          case KeyRanges::Step::kEnd:
            skip = true;
            break;
          case KeyRanges::Step::kSeek:
            skip = std::string_view(target) > meta.max_key;
            break;
          case KeyRanges::Step::kMatch:
            break;
        }
      }
    }
    e.skipped = skip;
    explain_deltas_.push_back(e);
    if (skip) continue;
    input_delta_.push_back(explain_deltas_.size() - 1);
    read.push_back(&d);
  }
  // A GROUP BY that takes every row of one delta merges nothing (the rows
  // are unique by key), so it reads only the group columns and the values,
  // not the other key columns (Q2 skips date and publisher_id). Over
  // several deltas, neither is needed when combining a key's rows before
  // grouping cannot change the groups' values (integer SUM, MIN, MAX):
  // the rows then go to the groups as they are, interleaved only by the
  // group key's leading key columns, which partition the groups (Q5).
  const bool narrow =
      plan_.grouped && !read.empty() && row_predicates_.empty() &&
      !ranges_.constrained() && !plan_.group_keys.empty() &&
      plan_.group_keys.size() < nk &&
      std::all_of(plan_.group_values.begin(), plan_.group_values.end(),
                  [&](const GroupValue& v) { return v.merged_pos >= nk; }) &&
      (read.size() == 1 || UnmergedGroupingExact(schema_, plan_));
  if (narrow) {
    const size_t ng = plan_.group_keys.size();
    options.projection = plan_.group_keys;
    for (size_t c : plan_.merge_values) options.projection.push_back(c);
    std::vector<GroupValue> values = plan_.group_values;
    for (GroupValue& v : values) v.merged_pos = ng + (v.merged_pos - nk);
    agg_ = std::make_unique<GroupAggregator>(
        Iota(ng), plan_.group_prefix, std::move(values),
        KeyTypes(schema_, plan_.group_keys));
  }
  bounded_ = exact_ && !plan_.grouped && row_predicates_.empty();
  // A bounded scan's cursors keep the cached chunks of the rows a seek
  // found instead of copying them: the one left after the seeks hands
  // them out (NextView) or copies them once (Next); several copy them
  // before the merge.
  options.keep_views = bounded_;
  for (const QueryDelta* d : read) {
    auto cursor = d->reader->NewCursor(options);
    if (start.empty()) {
      cursor->SeekToFirst();
    } else {
      cursor->Seek(start);
    }
    MESA_RETURN_IF_ERROR(cursor->status());
    inputs.push_back(std::move(cursor));
  }
  if (bounded_ && inputs.size() > 1) {
    // A delta with no row in the interval (the seek found none before the
    // bound) takes no part in the merge: its counters go to the Explain
    // now. A user's history in the base alone (most of R2's) then reads
    // like one delta, with no merge.
    size_t kept = 0;
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (!inputs[i]->Valid()) {
        DeltaExplain& e = explain_deltas_[input_delta_[i]];
        e.blocks_read = inputs[i]->stats().blocks_read;
        e.blocks_skipped = inputs[i]->stats().blocks_skipped;
        e.rows_decoded = inputs[i]->stats().rows_decoded;
        continue;
      }
      input_delta_[kept] = input_delta_[i];
      inputs[kept++] = std::move(inputs[i]);
    }
    inputs.resize(kept);
    input_delta_.resize(kept);
    if (kept == 0) {
      input_done_ = true;
      return absl::OkStatus();
    }
    if (kept > 1) {
      for (auto& in : inputs) in->StopViews();
    }
  }
  if (bounded_ && inputs.size() == 1) {
    // The delta cursor's batches go out as they are: no merged_ batch.
    single_ = std::move(inputs[0]);
    input_done_ = ended;
    direct_ = plan_.output == Iota(options.projection.size());
    return absl::OkStatus();
  }
  merged_ = RowBatch(KeyTypes(schema_, options.projection));
  if (narrow && inputs.size() == 1) {
    merge_ = MergingCursor::Single(schema_, std::move(inputs[0]));
  } else if (narrow) {
    merge_ = MergingCursor::ByPrefix(schema_, plan_.group_prefix,
                                     std::move(inputs));
  } else {
    merge_ = std::make_unique<MergingCursor>(schema_, plan_.merge_values,
                                             std::move(inputs));
  }
  MESA_RETURN_IF_ERROR(merge_->status());
  target_keys_ = RowBatch(KeyTypes(schema_, Iota(nk)));
  input_done_ = ended;
  seeking_ = allow_seek_ && ranges_.skips();
  identity_ = !plan_.grouped && plan_.predicates.empty() &&
              plan_.output == Iota(schema_.num_columns());
  direct_ = identity_ || plan_.output == Iota(merged_.num_columns());
  merge_rows_ = seeking_ ? kMinSeekBatch
                         : std::max<size_t>(batch_rows_,
                                            plan_.grouped ? 4096 : 1);
  return absl::OkStatus();
}

bool QueryCursor::LoadMerged() {
  RememberLastRow();
  mrow_ = 0;
  if (input_done_) return false;
  if (!merge_->NextBatch(merge_rows_, &merged_)) {
    status_ = merge_->status();
    input_done_ = true;
    return false;
  }
  rows_merged_ += merged_.num_rows();
  if (seeking_) merge_rows_ = std::min<size_t>(merge_rows_ * 2, 4096);
  return true;
}

void QueryCursor::RememberLastRow() {
  if (last_taken_ < 0 || plan_.grouped) return;
  std::string key;
  AppendEncodedKey(merged_, static_cast<size_t>(last_taken_),
                   schema_.num_keys(), &key);
  last_key_ = std::move(key);
  last_taken_ = -1;
}

template <typename F>
bool QueryCursor::Pump(F&& take) {
  while (true) {
    if (mrow_ >= merged_.num_rows() && !LoadMerged()) return false;
    const size_t n = merged_.num_rows();
    while (mrow_ < n) {
      const size_t r = mrow_++;
      switch (ranges_.Next(merged_, r, &target_)) {
        case KeyRanges::Step::kMatch:
          break;
        case KeyRanges::Step::kEnd:
          input_done_ = true;
          mrow_ = n;
          return false;
        case KeyRanges::Step::kSeek: {
          if (!allow_seek_) continue;
          target_keys_.Clear();
          auto cols = DecodeKey(target_, schema_, &target_keys_);
          if (!cols.ok()) {
            status_ = cols.status();
            input_done_ = true;
            return false;
          }
          // Rows of this batch at or past the target? Else seek.
          size_t lo = mrow_, hi = n;
          while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (CompareToTarget(merged_, mid, target_keys_, *cols) < 0) {
              lo = mid + 1;
            } else {
              hi = mid;
            }
          }
          if (lo < n) {
            mrow_ = lo;
            continue;
          }
          mrow_ = n;
          RememberLastRow();
          merge_->SeekForward(target_);
          ++seeks_;
          merge_rows_ = kMinSeekBatch;
          continue;
        }
      }
      bool pass = true;
      for (const ColumnPredicate& p : row_predicates_) {
        if (!PredicateMatches(p, merged_.column(p.column), r)) {
          pass = false;
          break;
        }
      }
      if (!pass) continue;
      last_taken_ = static_cast<int64_t>(r);
      if (!take(r)) return true;
    }
  }
}

bool QueryCursor::Next() {
  out_.Clear();
  if (!status_.ok()) return false;
  if (plan_.grouped) return NextGrouped();
  if (single_ != nullptr) return NextSingle(/*as_views=*/false);
  if (identity_ || bounded_) {
    // Every merged row goes out: whole batches, no filter per row.
    RowBatch& into = direct_ ? out_ : merged_;
    while (!input_done_) {
      if (!merge_->NextBatch(batch_rows_, &into)) {
        status_ = merge_->status();
        input_done_ = true;
        break;
      }
      const size_t n = into.num_rows();
      if (!direct_) {
        for (size_t i = 0; i < plan_.output.size(); ++i) {
          out_.column(i).AppendRange(into.column(plan_.output[i]), 0, n);
        }
      }
      rows_merged_ += n;
      rows_returned_ += n;
      last_key_.emplace();
      AppendEncodedKey(into, n - 1, schema_.num_keys(), &*last_key_);
      return true;
    }
    return false;
  }
  const size_t cols = plan_.output.size();
  Pump([&](size_t r) {
    for (size_t i = 0; i < cols; ++i) {
      out_.column(i).AppendFrom(merged_.column(plan_.output[i]), r);
    }
    return out_.num_rows() < batch_rows_;
  });
  RememberLastRow();
  rows_returned_ += out_.num_rows();
  return status_.ok() && out_.num_rows() > 0;
}

bool QueryCursor::NextView() {
  if (single_ == nullptr || !single_->keeps_views()) {
    return ScanCursor::NextView();
  }
  out_.Clear();
  views_.clear();
  if (!status_.ok()) return false;
  return NextSingle(/*as_views=*/true);
}

bool QueryCursor::NextSingle(bool as_views) {
  DeltaCursor& in = *single_;
  if (pending_ > 0) {
    // The rows handed out last time are done with: now the cursor may
    // move on (and drop the block they were in).
    in.Advance(pending_);
    pending_ = 0;
  }
  if (input_done_ || !in.Valid()) {
    status_ = in.status();
    return false;
  }
  if (in.keeps_views()) {
    const std::vector<const ColumnVector*>& chunks = in.chunks();
    const size_t first = in.view_begin() + in.row();
    const size_t take = std::min(batch_rows_, in.view_end() - first);
    last_key_.emplace();
    for (size_t k = 0; k < schema_.num_keys(); ++k) {
      AppendKeyPart(*chunks[k], first + take - 1, &*last_key_);
    }
    for (size_t i = 0; i < plan_.output.size(); ++i) {
      const ColumnVector& chunk = *chunks[plan_.output[i]];
      if (as_views) {
        views_.emplace_back(chunk, first, take);
      } else {
        out_.column(i).AppendRange(chunk, first, first + take);
      }
    }
    pending_ = take;
    rows_merged_ += take;
    rows_returned_ += take;
    return true;
  }
  const RowBatch& b = in.batch();
  const size_t first = in.row();
  const size_t take = std::min(batch_rows_, b.num_rows() - first);
  last_key_.emplace();
  AppendEncodedKey(b, first + take - 1, schema_.num_keys(), &*last_key_);
  if (direct_ && first == 0 && take == b.num_rows()) {
    in.TakeBatch(&out_);
  } else {
    for (size_t i = 0; i < plan_.output.size(); ++i) {
      out_.column(i).AppendRange(b.column(plan_.output[i]), first,
                                 first + take);
    }
    in.Advance(take);
  }
  rows_merged_ += take;
  rows_returned_ += take;
  if (!in.status().ok()) {
    status_ = in.status();
    return false;
  }
  return true;
}

bool QueryCursor::NextGrouped() {
  const size_t cols = plan_.output.size();
  std::string key;
  while (out_.num_rows() < batch_rows_) {
    if (ready_pos_ >= ready_.num_rows()) {
      if (agg_done_) break;
      ready_.Clear();
      ready_pos_ = 0;
      if (row_predicates_.empty() && (exact_ || !ranges_.constrained())) {
        // Every merged row counts: whole batches go to the aggregator.
        while (ready_.num_rows() == 0 &&
               (mrow_ < merged_.num_rows() || LoadMerged())) {
          agg_->AddRange(merged_, mrow_, merged_.num_rows(), &ready_);
          mrow_ = merged_.num_rows();
        }
      } else {
        Pump([&](size_t r) {
          agg_->Add(merged_, r, &ready_);
          return ready_.num_rows() == 0;
        });
      }
      if (!status_.ok()) return false;
      if (input_done_ && mrow_ >= merged_.num_rows()) {
        agg_->Finish(&ready_);
        agg_done_ = true;
      }
      continue;
    }
    const size_t g = ready_pos_++;
    if (skip_through_) {
      key.clear();
      agg_->EncodeGroupKey(ready_, g, &key);
      if (key <= *skip_through_) continue;
      skip_through_.reset();  // groups come sorted: the rest are later
    }
    for (size_t i = 0; i < cols; ++i) {
      out_.column(i).AppendFrom(ready_.column(plan_.output[i]), g);
    }
    if (out_.num_rows() == batch_rows_ || ready_pos_ == ready_.num_rows()) {
      key.clear();
      agg_->EncodeGroupKey(ready_, g, &key);
      last_key_ = key;
    }
  }
  rows_returned_ += out_.num_rows();
  return status_.ok() && out_.num_rows() > 0;
}

ScanExplain QueryCursor::Explain() const {
  ScanExplain e;
  e.table = src_.table;
  e.source = src_.source;
  e.from_rollup = src_.from_rollup;
  e.version = src_.version;
  e.deltas = explain_deltas_;
  const size_t inputs =
      single_ != nullptr ? 1 : merge_ ? merge_->num_inputs() : 0;
  for (size_t i = 0; i < inputs; ++i) {
    const CursorStats& s =
        single_ != nullptr ? single_->stats() : merge_->input_stats(i);
    DeltaExplain& d = e.deltas[input_delta_[i]];
    d.blocks_read = s.blocks_read;
    d.blocks_skipped = s.blocks_skipped;
    d.rows_decoded = s.rows_decoded;
  }
  for (const DeltaExplain& d : e.deltas) {
    e.blocks_read += d.blocks_read;
    e.blocks_skipped += d.blocks_skipped;
    e.rows_in_deltas += d.rows;
    e.rows_decoded += d.rows_decoded;
  }
  e.rows_never_decoded =
      e.rows_in_deltas > e.rows_decoded ? e.rows_in_deltas - e.rows_decoded : 0;
  e.rows_merged = rows_merged_;
  e.rows_returned = rows_returned_;
  e.seeks = seeks_;
  e.skip_scan = seeks_ > 0;
  if (plan_.grouped) {
    e.group_by = plan_.group_prefix == plan_.group_keys.size() ? "streaming"
                                                                : "hash";
  }
  return e;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ScanCursor>> NewQueryCursor(
    QuerySource source, const ScanSpec& spec, std::optional<ScanPlan> planned) {
  if (!planned) {
    MESA_ASSIGN_OR_RETURN(planned,
                          PlanScan(*source.schema, source.table, spec));
  }
  ScanPlan plan = std::move(*planned);
  if (source.fingerprint != 0) plan.fingerprint = source.fingerprint;
  std::optional<std::string> resume_key;
  if (!spec.resume_token.empty()) {
    MESA_ASSIGN_OR_RETURN(ResumePosition pos,
                          DecodeResumeToken(spec.resume_token));
    if (pos.version != source.version) {
      return absl::InvalidArgumentError(fmt::format(
          "resume token is for version {}, this reader is at version {}",
          pos.version, source.version));
    }
    if (pos.table != source.table) {
      return absl::InvalidArgumentError(fmt::format(
          "resume token is for table '{}', not '{}'", pos.table,
          source.table));
    }
    if (pos.spec_fingerprint != plan.fingerprint) {
      return absl::InvalidArgumentError(fmt::format(
          "resume token for table '{}' comes from a scan with a different "
          "spec (filters, group-by, columns, prefix or range)",
          source.table));
    }
    resume_key = std::move(pos.last_key);
  }
  auto cursor = std::make_unique<QueryCursor>(std::move(source),
                                              std::move(plan), spec);
  MESA_RETURN_IF_ERROR(cursor->Init(resume_key));
  return std::unique_ptr<ScanCursor>(std::move(cursor));
}

}  // namespace mesa::internal
