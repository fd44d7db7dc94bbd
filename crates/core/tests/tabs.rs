//! Several tabs sharing one storage: every event counts exactly once, and withdrawal
//! or erasure in one tab holds in the others.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::*;
use shelfwise_core::{Engine, MemoryStore, Store};

#[test]
fn two_tabs_tracking_at_once_lose_no_event() {
    let store = Shared::default();
    let products = catalogue();
    let (mut a, mut b) = two_granted_tabs(&store);
    // Interleaved tracking, flushing, compacting and reloading in both tabs.
    for i in 0..500u32 {
        let at = T0 + f64::from(i) * 1000.0;
        assert!(a.track(&view(&products[(i % 8) as usize], at)));
        assert!(b.track(&view(&products[((i + 3) % 8) as usize], at + 1.0)));
        if i % 7 == 0 && a.flush() {
            a.compact(at).unwrap();
        }
        if i % 11 == 0 && b.flush() {
            b.compact(at).unwrap();
        }
        if i % 97 == 0 {
            a.compact(at).unwrap();
            b.reload();
        }
    }
    a.flush();
    b.flush();
    assert_eq!(
        tab(&store, "c").profile().events,
        1000,
        "every event counted exactly once"
    );
    a.reload();
    assert_eq!(a.profile().events, 1000);
    b.compact(T0 + 1e6).unwrap();
    a.compact(T0 + 1e6).unwrap();
    assert_eq!(
        tab(&store, "d").profile().events,
        1000,
        "and still after compaction"
    );
    // Journals stay until a later look at the envelope confirms them.
    b.compact(T0 + 2e6).unwrap();
    a.compact(T0 + 2e6).unwrap();
    assert_eq!(tab(&store, "e").profile().events, 1000);
    assert_eq!(
        common::shelfwise_keys(&store),
        ["shelfwise:shop:v3"],
        "journals folded in"
    );
}

#[test]
fn a_late_write_of_an_older_envelope_loses_no_event() {
    let store = Shared::default();
    let (mut a, _b) = two_granted_tabs(&store);
    let products = catalogue();
    for i in 0..10u32 {
        assert!(a.track(&view(&products[(i % 8) as usize], T0 + f64::from(i))));
    }
    a.flush();
    let older = store.get("shelfwise:shop:v3").unwrap().unwrap();
    a.compact(T0 + 100.0).unwrap();
    // Another page, in another process, writes the envelope it read before that
    // compaction reached it (browsers pass localStorage writes between processes late).
    let mut other_process = store.clone();
    other_process.set("shelfwise:shop:v3", &older).unwrap();
    assert_eq!(tab(&store, "c").profile().events, 10, "still journaled");
    a.compact(T0 + 200.0).unwrap();
    assert_eq!(tab(&store, "d").profile().events, 10, "folded in again");
    // Once an envelope on file has shown them for CONFIRM_AFTER_MS, they go: removed by
    // the next compaction of any tab, even after this one is gone.
    drop(a);
    let mut later = tab(&store, "f");
    later.compact(T0 + 10_000.0).unwrap();
    assert_eq!(common::shelfwise_keys(&store), ["shelfwise:shop:v3"]);
    assert_eq!(tab(&store, "e").profile().events, 10);
}

#[test]
fn a_repeated_grant_in_a_stale_tab_keeps_what_another_tab_compacted() {
    let store = Shared::default();
    let (mut a, mut b) = two_granted_tabs(&store);
    let products = catalogue();
    for i in 0..10 {
        assert!(b.track(&view(&products[i % 8], T0 + f64::from(i as u32))));
    }
    b.flush();
    b.compact(T0 + 20.0).unwrap();
    assert_eq!(
        tab(&store, "c").profile().events,
        10,
        "b's journal folded in"
    );
    // `a` still holds the envelope it read before b compacted.
    a.grant_consent(true, false, T0 + 30.0).unwrap();
    assert_eq!(
        a.profile().events,
        10,
        "the grant builds on the envelope on file"
    );
    assert_eq!(
        tab(&store, "c").profile().events,
        10,
        "nothing was overwritten"
    );
}

#[test]
fn withdrawal_in_one_tab_while_another_tracks_leaves_nothing() {
    let store = Shared::default();
    let products = catalogue();
    let (mut a, mut b) = two_granted_tabs(&store);
    for i in 0..10 {
        b.track(&view(&products[i % 8], T0 + i as f64));
    }
    b.flush();
    a.withdraw_consent(T0 + 1.0).unwrap();
    // b has not heard yet and keeps tracking, then tries to write.
    b.track(&view(&products[1], T0 + 2.0));
    b.flush();
    b.compact(T0 + 3.0).unwrap();
    assert!(
        common::shelfwise_keys(&store).is_empty(),
        "left: {:?}",
        common::shelfwise_keys(&store)
    );
    assert_eq!(b.consent().personalization.as_str(), "unknown");
    assert!(!b.track(&view(&products[1], T0 + 4.0)));
}

#[test]
fn erase_in_one_tab_drops_what_the_others_had_not_written() {
    let store = Shared::default();
    let products = catalogue();
    let (mut a, mut b) = two_granted_tabs(&store);
    b.track(&view(&products[1], T0));
    a.erase(T0 + 1.0).unwrap();
    b.flush();
    assert!(b.profile().is_empty());
    let c = tab(&store, "c");
    assert_eq!(c.profile().events, 0);
    assert_eq!(c.consent().personalization.as_str(), "granted");
}

#[test]
fn tracking_after_a_flush_goes_on() {
    let products = catalogue();
    let mut engine = Engine::open("shop", MemoryStore::new()).unwrap();
    engine.grant_consent(true, false, T0).unwrap();
    assert!(engine.track(&view(&products[0], T0)));
    engine.flush();
    assert!(
        engine.track(&view(&products[1], T0)),
        "{:?}",
        engine.consent()
    );
    engine.flush();
    assert_eq!(
        Engine::open("shop", engine.store().clone())
            .unwrap()
            .profile()
            .events,
        2
    );
}
