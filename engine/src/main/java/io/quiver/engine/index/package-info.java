/**
 * Payload indexes of a segment and filter planning over them. A segment owns one
 * {@link io.quiver.engine.index.PayloadIndexes} (at most one index per field), keyed by the segment's dense point
 * ordinals; the segment implements {@link io.quiver.engine.index.SegmentPoints} so planning can look up live
 * ordinals, ids and payloads. Indexes change speed, never results (apart from full-text semantics, see the
 * {@code filter} package): an index answers a condition from its keys by applying the evaluator's own {@code match}
 * rules to each distinct key, and every point holding a value the index cannot represent (a float in an integer
 * index, a non-canonical UUID string, an object, a nested array...) is marked <i>uncertain</i> and checked on its
 * payload.
 *
 * <h2>Index types ({@code field_schema})</h2>
 * {@code keyword} (strings), {@code integer} (64-bit JSON integers; match and range), {@code float} (all numbers;
 * range only), {@code bool}, {@code datetime} (strings that parse as datetimes; ranges only), {@code uuid}
 * (canonical lower-case UUID strings), {@code geo} ({@code {"lon":..,"lat":..}} objects; answers the geo shapes by
 * testing each distinct point) and {@code text} (word or whitespace tokenizer, lower-casing, min/max token length;
 * answers {@code text} and {@code text_any}). The {@code prefix}/{@code multilingual} tokenizers, stop words and
 * stemming are rejected as unsupported. Params such as {@code is_tenant}, {@code on_disk}, {@code lookup} are
 * accepted, kept and echoed in {@code payload_schema}, but change nothing. {@code payload_schema.points} is the
 * number of points holding at least one indexed value.
 *
 * <h2>Planning</h2>
 * {@link io.quiver.engine.index.PayloadIndexes#matchingOrds} returns the exact live ordinals: from indexes and
 * {@code has_id} alone when every condition of the filter is answerable (field conditions with one {@code match},
 * {@code range} or geo part on an indexed field, {@code has_id}, {@code has_vector} and nested filters of those;
 * uncertain points are checked on their payload), otherwise by evaluating the payloads of the candidates left by the
 * answerable {@code must} conditions (a {@code nested} condition is narrowed by indexes on its full inner paths,
 * such as {@code diet[].food}). {@link io.quiver.engine.index.PayloadIndexes#acceptOrds} gives a filtered HNSW
 * search a bitset or a lazy per-ordinal check; {@link io.quiver.engine.index.PayloadIndexes#estimate} gives Qdrant's
 * min/exp/max cardinality estimate (exact when the indexes decide the filter) to choose between them.
 * {@link io.quiver.engine.index.PayloadIndexes#plan} does both in one pass for a search ({@link
 * io.quiver.engine.index.SegmentFilter}).
 *
 * <h2>Filtering without an index: payload columns</h2>
 * Conditions the indexes cannot answer are compiled per query into an {@code OrdMatcher} tree: index bits where an
 * index answers a condition, a read of the segment's {@link io.quiver.engine.index.PayloadColumns} for a top-level
 * field condition with one {@code match} value/any/except or numeric {@code range} part, and the evaluator on the
 * parsed payload for everything else (and for points whose value is not one scalar: arrays, null, objects). A column
 * is decoded once per segment and key path, when a query first needs it, and the segment's writer updates it on every
 * payload change, so no visited point's JSON is parsed on that path. When no compiled part parses payloads, the plan
 * materialises the exact matching set with one scan of the candidates (a few nanoseconds per point), which also gives
 * the exact cardinality for the exact-scan-or-graph choice.
 *
 * <h2>File format</h2>
 * One file per segment, {@value io.quiver.engine.index.PayloadIndexFile#FILE_NAME}, big-endian: magic
 * {@code 0x51504958} ("QPIX"), format version 1, field count; per field its path and {@code field_schema} JSON
 * (length-prefixed UTF-8) and its entries in ascending ordinal order (keyed indexes: ordinal, uncertain flag, keys
 * - keyword: string, uuid: 2 longs, integer/datetime: long, float: double, bool: byte, geo: 2 doubles; text:
 * ordinal, tokens); footer magic {@code 0x51504946} ("QPIF") and the CRC32C of all preceding bytes. Written to
 * a temporary file, forced and atomically renamed; on load the footer and checksum are verified before anything is
 * parsed and any mismatch is a {@link io.quiver.engine.StorageException} (fail-stop). Loading rebuilds the in-memory
 * postings without touching payloads.
 *
 * <h2>Threading</h2>
 * {@code PayloadIndexes} is threadsafe: updates take a write lock (one writer, the segment's update path), queries a
 * read lock; the per-field index classes are only touched under those locks.
 */
package io.quiver.engine.index;
