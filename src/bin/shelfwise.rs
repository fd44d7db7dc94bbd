//! The Shelfwise developer CLI (native only; build with `--features cli`).
//!
//! ```text
//! shelfwise tcf <TC-string>   decode an IAB TCF v2 TC string, print it as JSON
//! shelfwise eval FILE...       the category-page replay of EVALUATION.md on event logs
//! ```
//!
//! Exit codes: 0 success, 2 the input could not be decoded, 64 wrong usage.

use std::process::ExitCode;

use std::collections::HashMap;

use shelfwise::core::profile::ProfileConfig;
use shelfwise::core::rank::RankOptions;
use shelfwise::core::tcf;
use shelfwise::eval::{evaluate, read_categories, read_log, Format};

const USAGE: &str = "usage: shelfwise tcf <TC-string>
       shelfwise eval FILE...

commands:
  tcf <TC-string>   decode an IAB TCF v2 TC string and print it as JSON, with the field
                    names of the IAB reference decoder (exit code 2 if it is invalid)
  eval FILE...      replay REES46, Taobao or Diginetica logs as EVALUATION.md defines and
                    print NDCG@10, MRR and HR@10 of the shop's default order and of
                    Shelfwise's, per file (a Diginetica categories file is used as the
                    lookup for the Diginetica views file beside it)";

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
        ["eval", files @ ..] if !files.is_empty() => match eval(files) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("shelfwise eval: {error}");
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

/// Runs the replay on every log file and prints its report.
fn eval(files: &[&str]) -> Result<(), String> {
    let mut logs = Vec::new();
    let mut categories = HashMap::new();
    for file in files {
        let text = std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?;
        let first = text.lines().next().unwrap_or("");
        match Format::detect(first) {
            Some(Format::DigineticaCategories) => categories.extend(read_categories(&text)),
            Some(format) => logs.push((file, format, text)),
            None => return Err(format!("{file}: not a REES46, Taobao or Diginetica file")),
        }
    }
    for (file, format, text) in logs {
        if format == Format::Diginetica && categories.is_empty() {
            return Err(format!(
                "{file}: Diginetica views need the itemId;categoryId file as well"
            ));
        }
        let events = read_log(&text, format, &categories).map_err(|e| format!("{file}: {e}"))?;
        let report = evaluate(&events, &RankOptions::default(), &ProfileConfig::default());
        println!(
            "# {file} ({}, {} events, {} views skipped)",
            format.name(),
            events.len(),
            report.skipped
        );
        for line in report.lines() {
            println!("{line}");
        }
    }
    Ok(())
}
