/**
 * Qdrant's filter language: the model ({@link io.quiver.engine.filter.Filter}, {@link
 * io.quiver.engine.filter.Condition}, {@link io.quiver.engine.filter.FieldCondition}, {@link
 * io.quiver.engine.filter.Match}), the JSON reader ({@link io.quiver.engine.filter.FilterParser}) and the evaluator
 * ({@link io.quiver.engine.filter.FilterEvaluator}). Everything here is immutable and threadsafe; nothing here knows
 * segments, indexes or files (the {@code index} package builds on it).
 *
 * <h2>Semantics (Qdrant's, checked against its condition checker)</h2>
 * <ul>
 *   <li><b>Clauses.</b> {@code must}: all hold; {@code should}: at least one holds, so a present but empty
 *   {@code should} matches nothing; {@code must_not}: none holds; {@code min_should {conditions, min_count}}: at least
 *   {@code min_count} hold ({@code 0} is always true). Present clauses are ANDed; {@code {}} matches everything.
 *   Each of must/should/must_not may be one condition object or an array; a condition may be a whole filter.</li>
 *   <li><b>Key paths.</b> {@code a.b} descends into objects; {@code a[]} yields the elements of array {@code a};
 *   {@code a[].b} collects {@code b} of every element; {@code a[2]} one element; {@code "x.y"} quotes a key with
 *   dots. As in Qdrant, a {@code .b} step applied to an array yields nothing (write {@code a[].b}), and a value
 *   reached at the end that is an array is one value whose <i>elements</i> the condition looks at (one level only:
 *   {@code [[1]]} does not match 1).</li>
 *   <li><b>Field conditions.</b> The condition holds if <i>any</i> reached value (array values: any element) passes.
 *   If the key reaches no value at all, only the field forms {@code "is_empty": true} and {@code "is_null": false}
 *   hold; in particular {@code except} and {@code values_count} do not match a missing field. Several parts in one
 *   condition (say {@code match} and {@code range}) are ORed, except that {@code values_count}, then
 *   {@code is_empty}, then {@code is_null} take over when present.</li>
 *   <li><b>match.value</b>: string = string, bool = bool, integer = JSON integer that fits 64 bits (5 never equals
 *   5.0). <b>any</b>: the element is in the list (strings with strings, integers with integers; an empty list is a
 *   string list). <b>except</b>: a string not in a string list or a number not in an integer list; elements of
 *   another type (bool, object, nested array, float, string against integers...) pass; {@code null} fails.</li>
 *   <li><b>Text.</b> Without a full-text index on the field: {@code text} and {@code phrase} are substring tests,
 *   {@code text_any} passes if any whitespace-separated word is a substring. With one (the evaluator is told which
 *   full keys have one, see {@code PayloadIndexes#evaluator()}): the field's tokenizer is applied to every string
 *   value and to the query; {@code text} needs all query tokens, {@code text_any} one, {@code phrase} a run of the
 *   query tokens inside one string; a query without tokens matches nothing. This is the one place where an index
 *   changes meaning, exactly as in Qdrant.</li>
 *   <li><b>range</b>: numbers compare as doubles ({@code gt, gte, lt, lte}, each optional, null = absent);
 *   non-numbers never match. If any bound is a string the range is a datetime range: every bound must be a datetime
 *   and only string values that parse as datetimes can match ({@link io.quiver.engine.filter.DateTimeParser}:
 *   RFC 3339 and the zone-less forms Qdrant accepts, compared in microseconds UTC).</li>
 *   <li><b>values_count</b>: per reached value, {@code null} counts 0, an array its length, anything else 1.</li>
 *   <li><b>is_empty {key}</b>: every reached value is {@code null} or {@code []} (so missing is empty; {@code [null]}
 *   is not). <b>is_null {key}</b>: some reached value is {@code null} ({@code [null]} and missing are not).</li>
 *   <li><b>has_id</b>: the point id is listed. <b>has_vector</b>: Quiver points have at most one vector, which
 *   segments know as {@code ""} (a shard renames the collection's vector to it first: {@link
 *   io.quiver.engine.filter.Filter#forVectorNamed}); over a segment (the payload indexes' planner) a point whose vector was deleted does not match, while
 *   this evaluator, which sees only id and payload, takes every point to have it. Inside {@code nested} both are
 *   false (Qdrant does not support them there).</li>
 *   <li><b>nested {key, filter}</b>: some object element of the array at {@code key[]} satisfies the whole inner
 *   filter on its own (keys inside are relative to the element;
 *   {@link io.quiver.engine.filter.FieldCondition#fullKey()} keeps the path from the root, {@code diet[].food}, for
 *   index lookups).</li>
 *   <li><b>Geo</b>: {@code geo_bounding_box} (strict, antimeridian-aware), {@code geo_radius} (haversine, meters,
 *   strict) and {@code geo_polygon} (exterior minus interiors) on {@code {"lon":..,"lat":..}} values.</li>
 * </ul>
 *
 * <h2>Errors</h2>
 * Malformed filters raise {@link io.quiver.engine.BadRequestException} whose message names the location and the
 * problem ({@code filter.must[1].match.any[2]: all values must be 64-bit integers (or all strings), got string "x"});
 * unknown keys are rejected everywhere. A field condition without any condition part raises
 * {@link io.quiver.engine.ValidationException} (Qdrant answers 422 for it).
 *
 * <h2>Performance</h2>
 * Key paths are split at parse time; evaluating a point walks its payload with reusable, non-capturing callbacks and
 * allocates nothing, except for {@code text_any} without an index (query words) and for text conditions on
 * text-indexed fields (tokenization). Datetime parsing is allocation-free.
 */
package io.quiver.engine.filter;
