package io.quiver.engine.filter;

/**
 * Parses the datetime strings Qdrant accepts in payloads and {@code range} bounds into microseconds since the epoch
 * (UTC): RFC 3339 ({@code 2020-02-15T10:00:00.5Z}, {@code +01:00}, {@code +0100}, {@code +01}, separator {@code T},
 * {@code t} or space, optional space before the offset) and the zone-less forms {@code YYYY-MM-DD},
 * {@code YYYY-MM-DD[T ]HH:MM} and {@code YYYY-MM-DD[T ]HH:MM:SS[.f]} (read as UTC). Fractions beyond microseconds
 * are truncated. Stateless, allocation-free, threadsafe.
 */
public final class DateTimeParser {

    /** Returned by {@link #parseMicros} for text that is not a datetime. */
    public static final long INVALID = Long.MIN_VALUE;

    private DateTimeParser() {}

    /** Microseconds since 1970-01-01T00:00Z, or {@link #INVALID}. */
    public static long parseMicros(String s) {
        int n = s.length();
        if (n < 10 || s.charAt(4) != '-' || s.charAt(7) != '-') {
            return INVALID;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
            return INVALID;
        }
        long micros = daysFromCivil(year, month, day) * 86_400_000_000L;
        if (n == 10) {
            return micros;
        }
        char sep = s.charAt(10);
        if ((sep != 'T' && sep != 't' && sep != ' ') || n < 16 || s.charAt(13) != ':') {
            return INVALID;
        }
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        if (hour < 0 || hour > 23 || minute < 0 || minute > 59) {
            return INVALID;
        }
        micros += (hour * 3600L + minute * 60L) * 1_000_000L;
        if (n == 16) {
            return micros;
        }
        if (s.charAt(16) != ':' || n < 19) {
            return INVALID;
        }
        int second = digits(s, 17, 2);
        if (second < 0 || second > 60) {
            return INVALID;
        }
        micros += second * 1_000_000L;
        int i = 19;
        if (i < n && s.charAt(i) == '.') {
            i++;
            int start = i;
            long frac = 0;
            int used = 0;
            while (i < n && Character.isDigit(s.charAt(i))) {
                if (used < 6) {
                    frac = frac * 10 + (s.charAt(i) - '0');
                    used++;
                }
                i++;
            }
            if (i == start) {
                return INVALID;
            }
            while (used < 6) {
                frac *= 10;
                used++;
            }
            micros += frac;
        }
        if (i == n) {
            return micros;
        }
        if (s.charAt(i) == ' ') {
            i++;
        }
        if (i >= n) {
            return INVALID;
        }
        char z = s.charAt(i);
        if ((z == 'Z' || z == 'z') && i + 1 == n) {
            return micros;
        }
        if (z != '+' && z != '-') {
            return INVALID;
        }
        int rest = n - i - 1;
        int offH;
        int offM = 0;
        if (rest == 2) {
            offH = digits(s, i + 1, 2);
        } else if (rest == 4) {
            offH = digits(s, i + 1, 2);
            offM = digits(s, i + 3, 2);
        } else if (rest == 5 && s.charAt(i + 3) == ':') {
            offH = digits(s, i + 1, 2);
            offM = digits(s, i + 4, 2);
        } else {
            return INVALID;
        }
        if (offH < 0 || offH > 23 || offM < 0 || offM > 59) {
            return INVALID;
        }
        long offset = (offH * 3600L + offM * 60L) * 1_000_000L;
        return z == '+' ? micros - offset : micros + offset;
    }

    private static int digits(String s, int from, int count) {
        int v = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static int daysInMonth(int year, int month) {
        return switch (month) {
            case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's civil-days algorithm). */
    private static long daysFromCivil(int year, int month, int day) {
        int y = month <= 2 ? year - 1 : year;
        int era = Math.floorDiv(y, 400);
        int yoe = y - era * 400;
        int mp = (month + 9) % 12;
        int doy = (153 * mp + 2) / 5 + day - 1;
        int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097L + doe - 719468L;
    }
}
