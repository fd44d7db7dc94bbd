//! The wire contract's TypeScript side (`src/js/wire.ts`) is exactly what Rust declares:
//! editing either table by hand fails here.

#[test]
fn the_typescript_contract_is_what_rust_declares() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../src/js/wire.ts");
    let checked_in = std::fs::read_to_string(path).expect("src/js/wire.ts");
    let generated = shelfwise_core::contract::typescript();
    if checked_in != generated {
        let line = checked_in
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .map_or(
                checked_in.lines().count().min(generated.lines().count()),
                |i| i,
            );
        panic!(
            "src/js/wire.ts differs from crates/core/src/contract.rs at line {}: run \
             `cargo run -p shelfwise-cli -- contract > src/js/wire.ts`",
            line + 1
        );
    }
}
