package dev.billing.bench.report;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Two small chart kinds as inline SVG: horizontal bars and line series. */
final class Svg {
    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"};
    private static final int W = 900;

    private Svg() {}

    static String bars(String title, List<Map.Entry<String, Double>> bars) {
        int rowH = 28;
        int left = 260;
        int h = 40 + rowH * bars.size();
        double max = bars.stream().mapToDouble(e -> Double.isNaN(e.getValue()) ? 0 : e.getValue()).max().orElse(1);
        StringBuilder s = new StringBuilder(String.format("<svg width=\"%d\" height=\"%d\" xmlns=\"http://www.w3.org/2000/svg\">", W, h));
        s.append(text(10, 20, title, "bold"));
        for (int i = 0; i < bars.size(); i++) {
            double v = bars.get(i).getValue();
            double len = Double.isNaN(v) || max <= 0 ? 0 : (W - left - 140) * v / max;
            int y = 34 + i * rowH;
            s.append(text(10, y + 16, bars.get(i).getKey(), null));
            s.append(String.format("<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"20\" fill=\"%s\"/>", left, y, len,
                    COLORS[i % COLORS.length]));
            s.append(text(left + (int) len + 6, y + 16, Double.isNaN(v) ? "n/a" : String.format("%,.0f", v), null));
        }
        return s.append("</svg>").toString();
    }

    /** Series of (x, y) points; {@code limit} draws a dashed horizontal line (NaN: none). */
    static String lines(String title, String xLabel, String yLabel, Map<String, List<double[]>> series, double limit) {
        int h = 300;
        int left = 80;
        int right = 150;
        int top = 30;
        int bottom = 40;
        double maxX = 0;
        double maxY = Double.isNaN(limit) ? 0 : limit * 1.1;
        for (List<double[]> pts : series.values()) {
            for (double[] p : pts) {
                maxX = Math.max(maxX, p[0]);
                maxY = Math.max(maxY, p[1]);
            }
        }
        maxX = maxX <= 0 ? 1 : maxX;
        maxY = maxY <= 0 ? 1 : maxY * 1.05;
        double pw = W - left - right;
        double ph = h - top - bottom;
        StringBuilder s = new StringBuilder(String.format("<svg width=\"%d\" height=\"%d\" xmlns=\"http://www.w3.org/2000/svg\">", W, h));
        s.append(text(10, 20, title, "bold"));
        s.append(String.format("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>", left, h - bottom, W - right, h - bottom));
        s.append(String.format("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>", left, top, left, h - bottom));
        for (int i = 0; i <= 4; i++) {
            double yv = maxY * i / 4;
            double y = h - bottom - ph * i / 4;
            s.append(text(5, (int) y + 4, String.format("%,.0f", yv), null));
            s.append(String.format("<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>", left, y, W - right, y));
            double xv = maxX * i / 4;
            s.append(text(left + (int) (pw * i / 4) - 10, h - bottom + 18, String.format("%,.1f", xv), null));
        }
        s.append(text(W - right + 5, h - bottom + 18, xLabel, null));
        s.append(text(left + 5, top - 5, yLabel, null));
        if (!Double.isNaN(limit)) {
            double y = h - bottom - ph * limit / maxY;
            s.append(String.format("<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#b00\" stroke-dasharray=\"6 4\"/>",
                    left, y, W - right, y));
            s.append(text(W - right + 5, (int) y + 4, String.format("target %,.0f", limit), null));
        }
        int i = 0;
        for (Map.Entry<String, List<double[]>> e : new TreeMap<>(series).entrySet()) {
            String color = COLORS[i % COLORS.length];
            StringBuilder path = new StringBuilder();
            for (double[] p : e.getValue()) {
                path.append(String.format("%.1f,%.1f ", left + pw * p[0] / maxX, h - bottom - ph * p[1] / maxY));
            }
            s.append(String.format("<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>", color, path));
            s.append(String.format("<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>", W - right + 5, top + 20 * i, color));
            s.append(text(W - right + 22, top + 20 * i + 11, e.getKey(), null));
            i++;
        }
        return s.append("</svg>").toString();
    }

    private static String text(int x, int y, String text, String weight) {
        return String.format("<text x=\"%d\" y=\"%d\" font-size=\"12\"%s>%s</text>", x, y,
                weight == null ? "" : " font-weight=\"" + weight + "\"", HtmlReport.esc(text));
    }
}
