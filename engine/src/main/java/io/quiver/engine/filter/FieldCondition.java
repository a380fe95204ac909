package io.quiver.engine.filter;

import java.util.List;

/**
 * A condition on the values at a payload key: {@code match}, {@code range} (numbers or datetimes),
 * {@code values_count}, {@code geo_bounding_box}/{@code geo_radius}/{@code geo_polygon} and the field forms of
 * {@code is_empty}/{@code is_null}. Several parts in one condition are ORed (as Qdrant does). Immutable, threadsafe.
 *
 * @param key the key path, relative to the nested element when inside a {@code nested} condition
 * @param fullKey the key from the payload root (equals {@code key} outside nested conditions); indexes are looked
 *     up by it
 */
public record FieldCondition(JsonPath key, JsonPath fullKey, Match match, NumberRange range,
        DatetimeRange datetimeRange, ValuesCount valuesCount, GeoBoundingBox geoBoundingBox, GeoRadius geoRadius,
        GeoPolygon geoPolygon, Boolean isEmpty, Boolean isNull) implements Condition {

    /** Numeric bounds; null = unbounded. Applies to JSON numbers only. */
    public record NumberRange(Double gt, Double gte, Double lt, Double lte) {
        public boolean test(double v) {
            return (lt == null || v < lt) && (gt == null || v > gt) && (lte == null || v <= lte)
                    && (gte == null || v >= gte);
        }
    }

    /** Datetime bounds in microseconds since the epoch (UTC); null = unbounded. Applies to datetime strings only. */
    public record DatetimeRange(Long gt, Long gte, Long lt, Long lte) {
        public boolean test(long micros) {
            return (lt == null || micros < lt) && (gt == null || micros > gt) && (lte == null || micros <= lte)
                    && (gte == null || micros >= gte);
        }
    }

    /** Bounds on the number of values (null counts 0, an array its length, anything else 1); null = unbounded. */
    public record ValuesCount(Long lt, Long gt, Long gte, Long lte) {
        public boolean test(long count) {
            return (lt == null || count < lt) && (gt == null || count > gt) && (lte == null || count <= lte)
                    && (gte == null || count >= gte);
        }
    }

    /** A geo point. */
    public record GeoPoint(double lon, double lat) {}

    /** Points strictly inside the box (crossing the antimeridian when top_left.lon > bottom_right.lon). */
    public record GeoBoundingBox(GeoPoint topLeft, GeoPoint bottomRight) {}

    /** Points closer than {@code radiusMeters} (haversine) to the center. */
    public record GeoRadius(GeoPoint center, double radiusMeters) {}

    /** Points inside the exterior ring and outside every interior ring. */
    public record GeoPolygon(List<GeoPoint> exterior, List<List<GeoPoint>> interiors) {
        public GeoPolygon {
            exterior = List.copyOf(exterior);
            interiors = interiors.stream().map(List::copyOf).toList();
        }
    }

    /** The same condition addressed from the payload root ({@code key} = {@code fullKey}). */
    public FieldCondition atRoot() {
        return key.equals(fullKey) ? this : new FieldCondition(fullKey, fullKey, match, range, datetimeRange,
                valuesCount, geoBoundingBox, geoRadius, geoPolygon, isEmpty, isNull);
    }

    /**
     * True when the condition has exactly one part and it is {@code match}, a {@code range} or a geo shape: its
     * result is then "some element passes", which payload indexes can answer from their keys.
     */
    public boolean isIndexAnswerable() {
        int parts = (match != null ? 1 : 0) + (range != null ? 1 : 0) + (datetimeRange != null ? 1 : 0)
                + (valuesCount != null ? 1 : 0) + (geoBoundingBox != null ? 1 : 0) + (geoRadius != null ? 1 : 0)
                + (geoPolygon != null ? 1 : 0) + (isEmpty != null ? 1 : 0) + (isNull != null ? 1 : 0);
        return parts == 1 && valuesCount == null && isEmpty == null && isNull == null;
    }

    /** True when the condition has a geo part. */
    public boolean hasGeo() {
        return geoBoundingBox != null || geoRadius != null || geoPolygon != null;
    }
}
