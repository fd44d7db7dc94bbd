//! IAB TCF v2 TC strings: any text decodes or fails with an error, never a panic, and
//! the header-only date the browser build reads agrees with the full decoder.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shelfwise_core::tcf;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let full = tcf::decode(text);
    let date = tcf::last_updated_ms(text);
    if let Ok(decoded) = full {
        assert_eq!(date, Some(decoded.last_updated_ms as f64));
    }
});
