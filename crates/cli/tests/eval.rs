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

/// A small two-shopper log in REES46 form, with returns to products.
fn returning_log() -> Vec<LogEvent> {
    let mut lines = vec![
        "event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session"
            .to_owned(),
    ];
    let mut second = 0;
    for round in 0..3 {
        for user in 1..=4 {
            for p in 1..=12 {
                second += 1;
                // Each shopper comes back to their own three products.
                let product = if p % 4 == 0 {
                    user * 3 + round % 3
                } else {
                    p + user
                };
                lines.push(rees46(second, "view", product, user));
            }
        }
    }
    read_log(&lines.join("\n"), Format::Rees46, &Default::default()).unwrap()
}

#[test]
fn the_fit_is_deterministic_and_its_model_round_trips() {
    use shelfwise_cli::fit::{
        examples, fit, mean_loss, model_json, progress, read_model, starting_model, Source,
    };
    let events = returning_log();
    let sources = [Source {
        name: "log",
        events: &events,
    }];
    let examples = examples(&sources, &ProfileConfig::default());
    assert!(examples.len() > 20, "{} views", examples.len());
    let hidden = progress(0, "test");
    let first = fit(&examples, |_| true, &hidden);
    let second = fit(&examples, |_| true, &hidden);
    assert_eq!(first, second, "the same logs give the same weights");
    // It learns: the viewed products are likelier under the fitted model than under the
    // one it starts from (the shop's order alone).
    let (before, after) = (
        mean_loss(&starting_model(), &examples),
        mean_loss(&first, &examples),
    );
    assert!(after < before - 0.1, "loss {before} -> {after}");
    // The printed model is what `Shelfwise.open({ model })` and a config read back.
    let json = model_json(&first);
    assert_eq!(read_model(&json).unwrap(), first);
    assert!(read_model(r#"{"returned": 500}"#).is_err(), "out of range");
    let typo = read_model(r#"{"typo": 1}"#).unwrap_err();
    assert!(typo.contains("unknown model weight"), "{typo}");
    // The shipped defaults name every weight, in config order too.
    for (i, name) in shelfwise_core::rank::WEIGHT_NAMES.iter().enumerate() {
        let option = shelfwise_core::profile::CONFIG_OPTIONS
            [shelfwise_core::profile::MODEL_OPTIONS_START + i]
            .0;
        assert_eq!(option, format!("model.{name}"));
    }
}
