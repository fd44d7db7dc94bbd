//! Consent: nothing before it, withdrawal erases everything, and every signal rule
//! (GPC, IAB TCF, Google Consent Mode; the latest decision wins).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::*;
use shelfwise_core::consent::{ConsentModeState, Source, TcfState};
use shelfwise_core::{ConsentPolicy, ConsentStatus, Engine, MemoryStore, Signals};

#[test]
fn nothing_is_learned_or_written_before_consent() {
    let products = catalogue();
    let mut engine = Engine::open("shop", MemoryStore::new()).unwrap();
    assert_eq!(engine.consent().personalization.as_str(), "unknown");
    for p in &products {
        assert!(
            !engine.track(&view(p, T0)),
            "track without consent must not record"
        );
    }
    assert_eq!(engine.store().writes, 0);
    assert!(engine.store().entries.is_empty());
    assert!(engine.profile().is_empty());
    assert_eq!(order(&engine, &products, 1.0), shop_order(&products));
}

#[test]
fn withdrawal_erases_every_shelfwise_key_and_only_those() {
    let products = catalogue();
    let mut store = MemoryStore::new();
    store
        .entries
        .insert("shelfwise:other:v1".into(), "{}".into());
    store
        .entries
        .insert("shelfwise:shop:v0".into(), "old".into());
    store.entries.insert("cart".into(), "[1,2]".into());
    let mut engine = Engine::open("shop", store).unwrap();
    engine.grant_consent(true, false, T0).unwrap();
    engine.track(&view(&products[0], T0));
    engine.withdraw_consent(T0 + MINUTE).unwrap();

    assert_eq!(engine.consent().personalization.as_str(), "denied");
    assert!(engine.profile().is_empty());
    let keys: Vec<&String> = engine.store().entries.keys().collect();
    assert_eq!(
        keys,
        ["cart", "shelfwise-consent:shop"],
        "the shop's own keys stay, all Shelfwise keys go but the refusal"
    );
    assert_eq!(
        engine.store().entries["shelfwise-consent:shop"],
        format!("denied denied {}", (T0 + MINUTE) as u64),
        "the refusal record holds the decision and its time, nothing else"
    );
    assert!(!engine.track(&view(&products[0], T0 + 2.0 * MINUTE)));
    assert_eq!(engine.store().entries.len(), 2);
}

#[test]
fn a_refusal_is_remembered_across_visits_and_tabs_until_the_shopper_grants() {
    let products = catalogue();
    let mut engine = Engine::open("shop", MemoryStore::new()).unwrap();
    engine.withdraw_consent(T0).unwrap();
    // The next visit knows the answer, so the banner need not ask again.
    let mut next_visit = Engine::open("shop", engine.store().clone()).unwrap();
    let consent = next_visit.consent();
    assert_eq!(consent.personalization, ConsentStatus::Denied);
    assert_eq!(consent.measurement, ConsentStatus::Denied);
    assert_eq!(consent.decided_ms, Some(T0));
    assert_eq!(consent.source, Some(Source::Shopper));
    assert!(!next_visit.track(&view(&products[0], T0 + MINUTE)));

    // Erasing what was learned keeps the refusal.
    next_visit.erase(T0 + MINUTE).unwrap();
    let after_erase = Engine::open("shop", next_visit.store().clone()).unwrap();
    assert_eq!(after_erase.consent().personalization, ConsentStatus::Denied);

    // A later grant replaces it, and the record goes.
    next_visit
        .grant_consent(true, false, T0 + 2.0 * MINUTE)
        .unwrap();
    assert!(!next_visit
        .store()
        .entries
        .contains_key("shelfwise-consent:shop"));
    let granted = Engine::open("shop", next_visit.store().clone()).unwrap();
    assert_eq!(granted.consent().personalization, ConsentStatus::Granted);
}

#[test]
fn a_refusal_in_one_tab_reaches_the_other_on_reload() {
    let products = catalogue();
    let mut first = Engine::open("shop", MemoryStore::new()).unwrap();
    first.grant_consent(true, false, T0).unwrap();
    first.track(&view(&products[0], T0));
    first.flush();
    let mut second = Engine::open("shop", first.store().clone()).unwrap();
    assert_eq!(second.consent().personalization, ConsentStatus::Granted);
    first.withdraw_consent(T0 + MINUTE).unwrap();
    *second.store_mut() = first.store().clone();
    second.reload();
    assert_eq!(second.consent().personalization, ConsentStatus::Denied);
    assert_eq!(second.consent().decided_ms, Some(T0 + MINUTE));
    assert!(second.profile().is_empty());
}

#[test]
fn a_declined_banner_is_remembered_but_a_cmp_refusal_is_left_to_the_cmp() {
    let mut engine = Engine::open("shop", MemoryStore::new()).unwrap();
    // Granting measurement only, personalization never asked: nothing to remember.
    engine.grant_consent(false, true, T0).unwrap();
    assert!(engine.store().entries.is_empty());
    let mut store = MemoryStore::new();
    store
        .entries
        .insert("shelfwise-consent:shop".into(), "granted denied 5".into());
    let forged = Engine::open("shop", store).unwrap();
    assert_eq!(
        forged.consent().personalization,
        ConsentStatus::Unknown,
        "a record that is not a refusal is ignored: a grant lives only in the envelope"
    );
}

#[test]
fn another_tabs_withdrawal_is_not_undone_by_tracking() {
    let products = catalogue();
    let mut engine = Engine::open("shop", MemoryStore::new()).unwrap();
    engine.grant_consent(true, false, T0).unwrap();
    engine.track(&view(&products[0], T0));
    // Another tab withdrew: the envelope is gone from the shared storage.
    engine.store_mut().entries.clear();
    engine.track(&view(&products[1], T0 + MINUTE));
    assert!(!engine.flush());
    assert!(
        engine.store().entries.is_empty(),
        "nothing written back: {:?}",
        engine.store().entries
    );
    assert_eq!(engine.consent().personalization.as_str(), "unknown");
    assert!(!engine.track(&view(&products[1], T0 + 2.0 * MINUTE)));
}

/// A vector of tests/fixtures/tcf-v2-vectors.json (from prebid/go-gdpr): purposes 1 to
/// 10 consented, no publisher segment, vendors 3 to 7 among those with consent.
const TC_ALL_PURPOSES: &str = "COwDzqZOwDzqZN4ABMENAPCAAP4AAP-AAAhoAFQAYABgAOABQAAAAA";

/// The signals of a CMP that decoded `tc` for `vendor_id` (an unreadable string gives
/// no choices, as a CMP has none to report).
fn tcf_for(tc: &str, vendor_id: Option<u32>) -> Signals {
    let choices = shelfwise_core::tcf::decode(tc)
        .ok()
        .map(|decoded| decoded.choices(vendor_id));
    Signals {
        tcf: Some(TcfState {
            gdpr_applies: true,
            choices,
            loaded: false,
        }),
        ..Signals::default()
    }
}

fn tcf(tc: &str) -> Signals {
    tcf_for(tc, None)
}

#[test]
fn gpc_denies_until_the_shopper_grants_in_the_shop() {
    let mut engine = Engine::open("shop", MemoryStore::new()).unwrap();
    let gpc = Signals {
        gpc: true,
        ..Signals::default()
    };
    engine.set_signals(gpc.clone(), T0).unwrap();
    assert_eq!(engine.consent().personalization.as_str(), "denied");
    assert_eq!(engine.consent().source, Some(Source::Gpc));
    assert!(!engine.track(&view(&catalogue()[0], T0)));
    assert!(engine.store().entries.is_empty());
    engine.grant_consent(true, false, T0 + 1.0).unwrap();
    engine.set_signals(gpc, T0 + 2.0).unwrap();
    assert_eq!(
        engine.consent().personalization.as_str(),
        "granted",
        "an explicit grant wins over GPC"
    );

    let policy = ConsentPolicy {
        respect_gpc: false,
        tcf_vendor_id: None,
    };
    let mut lenient = with_policy(policy);
    lenient
        .set_signals(
            Signals {
                gpc: true,
                ..Signals::default()
            },
            T0,
        )
        .unwrap();
    assert_eq!(
        lenient.consent().personalization.as_str(),
        "unknown",
        "a shop may choose not to read GPC"
    );
}

#[test]
fn tcf_decides_with_purposes_1_5_6_and_the_latest_decision_wins() {
    let decoded = shelfwise_core::tcf::decode(TC_ALL_PURPOSES).unwrap();
    assert!(decoded.choices(None).grants(&[1, 5, 6], None));
    let updated = decoded.choices(None).last_updated_ms;
    assert_eq!(
        shelfwise_core::tcf::last_updated_ms(TC_ALL_PURPOSES),
        Some(updated),
        "the header alone gives the decision's date"
    );

    // A CMP grant newer than anything else grants, and writes the record.
    let mut engine = Engine::open("shop", MemoryStore::new()).unwrap();
    engine.set_signals(tcf(TC_ALL_PURPOSES), T0).unwrap();
    assert_eq!(engine.consent().personalization.as_str(), "granted");
    assert_eq!(engine.consent().source, Some(Source::Tcf));
    assert!(engine.track(&view(&catalogue()[1], T0)));

    // A shopper's withdrawal after that TC string wins, and the same string (older) does
    // not grant again.
    engine.withdraw_consent(updated + 1.0).unwrap();
    engine.set_signals(tcf(TC_ALL_PURPOSES), T0).unwrap();
    assert_eq!(engine.consent().personalization.as_str(), "denied");
    let keys: Vec<&String> = engine.store().entries.keys().collect();
    assert_eq!(keys, ["shelfwise-consent:shop"], "only the refusal is kept");

    // With a vendor id the vendor needs consent too: an unlisted vendor is denied, and a
    // newer CMP denial erases what a grant had stored.
    let policy = ConsentPolicy {
        respect_gpc: true,
        tcf_vendor_id: Some(9_999),
    };
    let mut strict = with_policy(policy);
    strict.grant_consent(true, false, updated - 1.0).unwrap();
    assert!(strict.track(&view(&catalogue()[1], updated - 1.0)));
    strict
        .set_signals(tcf_for(TC_ALL_PURPOSES, Some(9_999)), T0)
        .unwrap();
    assert_eq!(strict.consent().personalization.as_str(), "denied");
    assert!(strict.store().entries.is_empty(), "the CMP's denial erased");

    // GDPR not applying, or an unreadable string, decides nothing.
    let mut other = Engine::open("shop", MemoryStore::new()).unwrap();
    let mut not_applying = tcf(TC_ALL_PURPOSES);
    not_applying.tcf.as_mut().unwrap().gdpr_applies = false;
    other.set_signals(not_applying, T0).unwrap();
    other.set_signals(tcf("CO"), T0).unwrap();
    assert_eq!(other.consent().personalization.as_str(), "unknown");
}

#[test]
fn consent_mode_defaults_and_updates() {
    let mut engine = Engine::open("shop", MemoryStore::new()).unwrap();
    let mut signals = Signals {
        consent_mode_default: Some(ConsentModeState {
            personalization_storage: Some(ConsentStatus::Denied),
            analytics_storage: Some(ConsentStatus::Granted),
        }),
        ..Signals::default()
    };
    engine.set_signals(signals.clone(), T0).unwrap();
    let consent = engine.consent();
    assert_eq!(
        (
            consent.personalization.as_str(),
            consent.measurement.as_str()
        ),
        ("denied", "granted")
    );
    assert_eq!(consent.decided_ms, None, "a default, not a decision");
    signals.consent_mode_update = Some(ConsentModeState {
        personalization_storage: Some(ConsentStatus::Granted),
        analytics_storage: None,
    });
    engine.set_signals(signals.clone(), T0 + 5.0).unwrap();
    assert_eq!(engine.consent().personalization.as_str(), "granted");
    assert_eq!(engine.consent().decided_ms, Some(T0 + 5.0));
    assert!(engine.track(&view(&catalogue()[0], T0 + 6.0)));
    // The same update seen again is not a new decision: a later withdrawal stands.
    engine.withdraw_consent(T0 + 7.0).unwrap();
    engine.set_signals(signals, T0 + 8.0).unwrap();
    assert_eq!(engine.consent().personalization.as_str(), "denied");
}
