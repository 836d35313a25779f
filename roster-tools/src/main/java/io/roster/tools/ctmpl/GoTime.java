package io.roster.tools.ctmpl;

import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.Locale;

/** Go's {@code time.Format} with its reference-time layouts ({@code 2006-01-02T15:04:05Z07:00}), for {@code timestamp}. */
final class GoTime {
    static final String RFC3339 = "2006-01-02T15:04:05Z07:00";

    private GoTime() {
    }

    static String format(ZonedDateTime t, String layout) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < layout.length()) {
            String rest = layout.substring(i);
            String[][] table = {
                {"2006", String.format("%04d", t.getYear())}, {"January", t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH)},
                {"Jan", t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH)},
                {"Monday", t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH)},
                {"Mon", t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH)},
                {"MST", t.getZone().getDisplayName(TextStyle.SHORT, Locale.ENGLISH).replace("Z", "UTC")},
                {"Z07:00", t.getOffset().getTotalSeconds() == 0 ? "Z" : t.getOffset().getId()},
                {"-07:00", t.getOffset().getTotalSeconds() == 0 ? "+00:00" : t.getOffset().getId()},
                {"-0700", t.getOffset().getTotalSeconds() == 0 ? "+0000" : t.getOffset().getId().replace(":", "")},
                {".000000000", String.format(".%09d", t.getNano())}, {".000000", String.format(".%06d", t.getNano() / 1000)},
                {".000", String.format(".%03d", t.getNano() / 1_000_000)},
                {"01", String.format("%02d", t.getMonthValue())}, {"02", String.format("%02d", t.getDayOfMonth())},
                {"_2", String.format("%2d", t.getDayOfMonth())}, {"15", String.format("%02d", t.getHour())},
                {"03", String.format("%02d", (t.getHour() + 11) % 12 + 1)}, {"04", String.format("%02d", t.getMinute())},
                {"05", String.format("%02d", t.getSecond())}, {"06", String.format("%02d", t.getYear() % 100)},
                {"PM", t.getHour() < 12 ? "AM" : "PM"}, {"pm", t.getHour() < 12 ? "am" : "pm"},
                {"1", Integer.toString(t.getMonthValue())}, {"2", Integer.toString(t.getDayOfMonth())},
                {"3", Integer.toString((t.getHour() + 11) % 12 + 1)}, {"4", Integer.toString(t.getMinute())},
                {"5", Integer.toString(t.getSecond())},
            };
            boolean matched = false;
            for (String[] e : table) {
                if (rest.startsWith(e[0])) {
                    sb.append(e[1]);
                    i += e[0].length();
                    matched = true;
                    break;
                }
            }
            if (!matched) {
                sb.append(layout.charAt(i++));
            }
        }
        return sb.toString();
    }
}
