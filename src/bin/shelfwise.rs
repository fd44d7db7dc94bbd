//! The Shelfwise developer CLI (native only; build with `--features cli`).
//!
//! ```text
//! shelfwise tcf <TC-string>   decode an IAB TCF v2 TC string, print it as JSON
//! ```
//!
//! Exit codes: 0 success, 2 the input could not be decoded, 64 wrong usage.

use std::process::ExitCode;

use shelfwise::core::tcf;

const USAGE: &str = "usage: shelfwise tcf <TC-string>

commands:
  tcf <TC-string>   decode an IAB TCF v2 TC string and print it as JSON, with the field
                    names of the IAB reference decoder (exit code 2 if it is invalid)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["tcf", tc_string] => match tcf::decode(tc_string) {
            Ok(decoded) => {
                // Serializing plain data to a string cannot fail.
                println!(
                    "{}",
                    serde_json::to_string_pretty(&decoded).unwrap_or_default()
                );
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("shelfwise tcf: {error}");
                ExitCode::from(2)
            }
        },
        ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(64)
        }
    }
}
