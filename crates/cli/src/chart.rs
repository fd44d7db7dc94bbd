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
