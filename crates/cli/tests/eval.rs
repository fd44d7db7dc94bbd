//! The offline evaluation's replay (`shelfwise eval`) on a hand-built log.

use shelfwise_cli::eval::{evaluate, read_log, Format, LogEvent};
use shelfwise_core::profile::ProfileConfig;
use shelfwise_core::rank::RankOptions;

fn rees46(second: u32, kind: &str, product: u32, user: u32) -> String {
    format!(
        "2019-10-01 00:{:02}:{:02} UTC,{kind},{product},1,electronics.smartphone,b{},{}.00,{user},s",
        second / 60,
        second % 60,
        product % 3,
        100 + product
    )
}

#[test]
fn the_replay_follows_the_protocol() {
    // User 1 views products 1 to 11 (none qualifies: each is new to the grid) and puts
    // 11 in the cart; user 2 views 9 (no earlier event of theirs), then 5 twice.
    let mut lines = vec![
        "event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session"
            .to_owned(),
    ];
    for p in 1..=11 {
        lines.push(rees46(p, "view", p, 1));
    }
    lines.push(rees46(20, "cart", 11, 1));
    lines.push(rees46(21, "view", 9, 2));
    lines.push(rees46(22, "view", 5, 2));
    lines.push(rees46(23, "view", 5, 2));
    let text = lines.join("\n");
    assert_eq!(Format::detect(&lines[0]), Some(Format::Rees46));
    let events: Vec<LogEvent> = read_log(&text, Format::Rees46, &Default::default()).unwrap();
    assert_eq!(events.len(), 15);
    let report = evaluate(&events, &RankOptions::default(), &ProfileConfig::default());
    assert_eq!(report.default_all.n, 2, "{report:?}");
    assert_eq!(report.default_new.n, 1, "the second view of 5 is not new");
    assert_eq!(report.skipped, 12);
    // First view of 5: popularity 9 and 11 (2 events each, by id), then 1, 2, 3, 4, 5.
    let new = report.default_new;
    assert!(
        (new.ndcg_at_10 - 1.0 / 3.0).abs() < 1e-12,
        "rank 7: {new:?}"
    );
    assert!((new.mrr - 1.0 / 7.0).abs() < 1e-12);
    assert_eq!(new.hit_rate_at_10, 1.0);
    // Second view: 5 now has 2 events and the lowest id of them, so it leads.
    let all = report.default_all;
    assert!((all.mrr - (1.0 / 7.0 + 1.0) / 2.0).abs() < 1e-12, "{all:?}");
    assert_eq!(
        report.lines()[0],
        format!(
            "default all n=2 NDCG@10={:.4} MRR={:.4} HR@10=1.0000",
            all.ndcg_at_10, all.mrr
        )
    );
    // Shelfwise ranks the product viewed just before first on the repeat view.
    let repeat = 2.0 * report.shelfwise_all.mrr - report.shelfwise_new.mrr;
    assert!((repeat - 1.0).abs() < 1e-12, "{report:?}");
}
