package io.quiver.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.filter.Filter;
import io.quiver.engine.filter.JsonPath;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * A scroll ordered by a payload value ({@code order_by}), as Qdrant answers it: the key needs a range-capable payload
 * index (integer, float or datetime); a point appears once per value it holds under the key, points without one are
 * left out; ties go by id; each result carries its {@code order_value}; there is no {@code next_page_offset} (page with
 * {@code start_from}). This version reads the matching points through ordinary id-ordered scroll pages and sorts them,
 * so its cost grows with the number of matching points. Stateless; threadsafe as its collection is.
 */
public final class OrderedScroll {
    private static final Set<String> RANGE_TYPES = Set.of("integer", "float", "datetime");
    private static final int PAGE = 1024;

    private OrderedScroll() {
    }

    /** One result: the point and the value it was ordered by. */
    public record OrderedRecord(Record record, double orderValue, boolean integral) {
        /** Qdrant's Record JSON plus {@code order_value}. */
        public ObjectNode toJson() {
            ObjectNode json = record.toJson();
            if (integral && orderValue == Math.rint(orderValue) && Math.abs(orderValue) < 0x1p53) {
                json.put("order_value", (long) orderValue);
            } else {
                json.put("order_value", orderValue);
            }
            return json;
        }
    }

    public static List<OrderedRecord> scroll(Collection collection, OrderBy orderBy, Filter filterOrNull, int limit,
            WithPayload withPayload, boolean withVector) {
        JsonNode schema = collection.info().payloadSchema().get(orderBy.key());
        String type = schema == null ? null : schema.path("data_type").asText(null);
        if (type == null || !RANGE_TYPES.contains(type)) {
            throw new BadRequestException("No range index for `order_by` key: `" + orderBy.key()
                    + "`. Please create one to use `order_by`. Integer, float and datetime payload indexes support it.");
        }
        JsonPath path = JsonPath.parse(orderBy.key());
        List<OrderedRecord> hits = new ArrayList<>();
        List<JsonNode> values = new ArrayList<>();
        PointId offset = null;
        do {
            ScrollResult page = collection.scroll(new ScrollRequest(offset, PAGE, filterOrNull, WithPayload.ALL,
                    withVector));
            for (Record r : page.points()) {
                values.clear();
                if (r.payloadOrNull() != null) {
                    path.collect(r.payloadOrNull(), values);
                }
                for (JsonNode v : values) {
                    if (v.isArray()) {
                        v.forEach(element -> add(hits, r, element, orderBy));
                    } else {
                        add(hits, r, v, orderBy);
                    }
                }
            }
            offset = page.nextPageOffsetOrNull();
        } while (offset != null);
        Comparator<OrderedRecord> byValue = Comparator.comparingDouble(OrderedRecord::orderValue);
        if (orderBy.descending()) {
            byValue = byValue.reversed();
        }
        hits.sort(byValue.thenComparing(h -> h.record().id()));
        List<OrderedRecord> out = new ArrayList<>(Math.min(limit, hits.size()));
        for (OrderedRecord h : hits) {
            if (out.size() == limit) {
                break;
            }
            Record r = h.record();
            ObjectNode payload = r.payloadOrNull() == null ? JsonNodeFactory.instance.objectNode() : r.payloadOrNull();
            Record shown = new Record(r.id(), withPayload.select(payload), r.vectorOrNull(), r.vectorMissing());
            out.add(new OrderedRecord(shown, h.orderValue(), h.integral()));
        }
        return out;
    }

    private static void add(List<OrderedRecord> hits, Record r, JsonNode value, OrderBy orderBy) {
        Double v = OrderBy.orderValue(value);
        if (v == null) {
            return;
        }
        Double start = orderBy.startFromOrNull();
        if (start != null && (orderBy.descending() ? v > start : v < start)) {
            return;
        }
        hits.add(new OrderedRecord(r, v, value.isIntegralNumber()));
    }
}
