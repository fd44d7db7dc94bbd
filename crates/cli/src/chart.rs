//! The evaluation as an SVG chart (`shelfwise eval ... --svg FILE`): NDCG@10 per log,
//! for all views and for products new to the shopper, of every order side by side.
//! Written by hand: a few rectangles and labels do not need a plotting crate.

use crate::eval::Report;

/// The orders drawn, their labels and colours (Okabe–Ito, readable with colour-blindness).
const ORDERS: [(&str, &str); 4] = [
    ("shop order", "#999999"),
    ("recent first", "#E69F00"),
    ("server kNN (reference)", "#56B4E9"),
    ("Shelfwise", "#009E73"),
];

const BAR: f64 = 16.0;
const GROUP_GAP: f64 = 22.0;
const PLOT_HEIGHT: f64 = 220.0;
const LEFT: f64 = 48.0;
const TOP: f64 = 56.0;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The chart of `reports`, one per named log.
pub fn svg(reports: &[(String, Report)]) -> String {
    let groups: Vec<(String, [f64; 4])> = reports
        .iter()
        .flat_map(|(name, r)| {
            [
                (
                    format!("{name}, all"),
                    [
                        r.default_all.ndcg_at_10,
                        r.recent_all.ndcg_at_10,
                        r.knn_all.ndcg_at_10,
                        r.shelfwise_all.ndcg_at_10,
                    ],
                ),
                (
                    format!("{name}, new"),
                    [
                        r.default_new.ndcg_at_10,
                        r.recent_new.ndcg_at_10,
                        r.knn_new.ndcg_at_10,
                        r.shelfwise_new.ndcg_at_10,
                    ],
                ),
            ]
        })
        .collect();
    let top = groups
        .iter()
        .flat_map(|(_, v)| v.iter().copied())
        .fold(0.1f64, f64::max);
    let scale = (top * 10.0).ceil() / 10.0;
    let group_width = BAR * 4.0 + GROUP_GAP;
    // Room on the right for the last label, which slants down that way.
    let width = LEFT + group_width * groups.len() as f64 + 140.0;
    let height = TOP + PLOT_HEIGHT + 120.0;
    let y = |v: f64| TOP + PLOT_HEIGHT * (1.0 - v / scale);
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" \
         viewBox=\"0 0 {width:.0} {height:.0}\" font-family=\"sans-serif\" font-size=\"11\">\n\
         <title>NDCG@10 per log: shop order, recent first, a server kNN reference and Shelfwise</title>\n\
         <rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n\
         <text x=\"{LEFT}\" y=\"20\" font-size=\"14\" font-weight=\"bold\">NDCG@10 on real shopper logs \
         (shelfwise eval)</text>\n"
    );
    // Legend.
    for (i, (label, colour)) in ORDERS.iter().enumerate() {
        let x = LEFT + i as f64 * 150.0;
        out.push_str(&format!(
            "<rect x=\"{x:.0}\" y=\"32\" width=\"10\" height=\"10\" fill=\"{colour}\"/>\
             <text x=\"{:.0}\" y=\"41\">{}</text>\n",
            x + 14.0,
            escape(label)
        ));
    }
    // Grid lines every 0.1.
    let mut tick = 0.0;
    while tick <= scale + 1e-9 {
        let (right, line, label_x, label_y) = (width - 140.0, y(tick), LEFT - 6.0, y(tick) + 4.0);
        out.push_str(&format!(
            "<line x1=\"{LEFT}\" x2=\"{right:.0}\" y1=\"{line:.1}\" y2=\"{line:.1}\" stroke=\"#dddddd\"/>\
             <text x=\"{label_x:.0}\" y=\"{label_y:.1}\" text-anchor=\"end\">{tick:.1}</text>\n"
        ));
        tick += 0.1;
    }
    for (g, (label, values)) in groups.iter().enumerate() {
        let x0 = LEFT + GROUP_GAP / 2.0 + g as f64 * group_width;
        for (i, value) in values.iter().enumerate() {
            let x = x0 + i as f64 * BAR;
            out.push_str(&format!(
                "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.0}\" height=\"{:.1}\" fill=\"{}\">\
                 <title>{}: {value:.4}</title></rect>\n",
                y(*value),
                BAR - 2.0,
                PLOT_HEIGHT * value / scale,
                ORDERS[i].1,
                escape(ORDERS[i].0)
            ));
        }
        let cx = x0 + BAR * 2.0;
        let cy = TOP + PLOT_HEIGHT + 10.0;
        out.push_str(&format!(
            "<text transform=\"translate({cx:.1},{cy:.1}) rotate(40)\">{}</text>\n",
            escape(label)
        ));
    }
    out.push_str("</svg>\n");
    out
}

/// One panel of the privacy/accuracy chart: a log's name, NDCG@10 on all views of the
/// untrained start, the shipped defaults and the central fit, and the federated model's
/// per ε.
pub struct TradeOff {
    pub name: String,
    pub references: [f64; 3],
    pub federated: Vec<(f64, f64)>,
}

const REFERENCES: [(&str, &str); 3] = [
    ("untrained start", "#999999"),
    ("shipped defaults", "#56B4E9"),
    ("central fit", "#E69F00"),
];
const FEDERATED: &str = "#009E73";
const PANEL: f64 = 300.0;
const PANEL_GAP: f64 = 70.0;

/// The privacy/accuracy trade-off of `shelfwise simulate --svg FILE`: per log, NDCG@10
/// of the federated model against ε per report (log scale), beside the references.
pub fn trade_off_svg(panels: &[TradeOff]) -> String {
    let width = LEFT + panels.len() as f64 * (PANEL + PANEL_GAP);
    let height = TOP + PLOT_HEIGHT + 60.0;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" \
         viewBox=\"0 0 {width:.0} {height:.0}\" font-family=\"sans-serif\" font-size=\"11\">\n\
         <title>NDCG@10 of the federated model against the privacy of each report</title>\n\
         <rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n\
         <text x=\"{LEFT}\" y=\"20\" font-size=\"14\" font-weight=\"bold\">Federated learning: \
         NDCG@10 (all views, held-out shoppers) against ε per report (shelfwise simulate)</text>\n"
    );
    let legend = REFERENCES.iter().chain(&[("federated", FEDERATED)]);
    for (i, (label, colour)) in legend.enumerate() {
        let x = LEFT + i as f64 * 130.0;
        out.push_str(&format!(
            "<rect x=\"{x:.0}\" y=\"32\" width=\"10\" height=\"10\" fill=\"{colour}\"/>\
             <text x=\"{:.0}\" y=\"41\">{label}</text>\n",
            x + 14.0
        ));
    }
    for (p, panel) in panels.iter().enumerate() {
        let left = LEFT + p as f64 * (PANEL + PANEL_GAP);
        let values = panel
            .references
            .iter()
            .copied()
            .chain(panel.federated.iter().map(|(_, v)| *v));
        let (low, high) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
        let (low, high) = ((low * 50.0).floor() / 50.0, (high * 50.0).ceil() / 50.0);
        let span = (high - low).max(0.02);
        let y = |v: f64| TOP + PLOT_HEIGHT * (1.0 - (v - low) / span);
        let epsilons: Vec<f64> = panel.federated.iter().map(|(e, _)| e.log2()).collect();
        let (first, last) = epsilons
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), e| {
                (a.min(*e), b.max(*e))
            });
        let x =
            |e: f64| left + 20.0 + (PANEL - 40.0) * (e.log2() - first) / (last - first).max(1.0);
        out.push_str(&format!(
            "<text x=\"{left:.0}\" y=\"{:.0}\" font-weight=\"bold\">{}</text>\n",
            TOP - 2.0,
            escape(&panel.name)
        ));
        let right = left + PANEL;
        let mut tick = low;
        while tick <= high + 1e-9 {
            let (line, label_x, label_y) = (y(tick), left - 4.0, y(tick) + 4.0);
            out.push_str(&format!(
                "<line x1=\"{left:.0}\" x2=\"{right:.0}\" y1=\"{line:.1}\" y2=\"{line:.1}\" stroke=\"#eeeeee\"/>\
                 <text x=\"{label_x:.0}\" y=\"{label_y:.1}\" text-anchor=\"end\">{tick:.2}</text>\n"
            ));
            tick += 0.02;
        }
        for (value, (label, colour)) in panel.references.iter().zip(REFERENCES) {
            let line = y(*value);
            out.push_str(&format!(
                "<line x1=\"{left:.0}\" x2=\"{right:.0}\" y1=\"{line:.1}\" y2=\"{line:.1}\" stroke=\"{colour}\" \
                 stroke-dasharray=\"5 3\"><title>{label}: {value:.4}</title></line>\n"
            ));
        }
        let points: Vec<String> = panel
            .federated
            .iter()
            .map(|(e, v)| format!("{:.1},{:.1}", x(*e), y(*v)))
            .collect();
        out.push_str(&format!(
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{FEDERATED}\" stroke-width=\"2\"/>\n",
            points.join(" ")
        ));
        for (e, v) in &panel.federated {
            let (cx, cy, label_y) = (x(*e), y(*v), TOP + PLOT_HEIGHT + 16.0);
            out.push_str(&format!(
                "<circle cx=\"{cx:.1}\" cy=\"{cy:.1}\" r=\"3.5\" fill=\"{FEDERATED}\"><title>ε = {e}: {v:.4}</title></circle>\
                 <text x=\"{cx:.1}\" y=\"{label_y:.0}\" text-anchor=\"middle\">ε {e}</text>\n"
            ));
        }
    }
    out.push_str("</svg>\n");
    out
}
