//! `shelfwise aggregate`: the shop's aggregation of contribution reports in Rust, the
//! reference the SQL runners (`shop/`) are checked against; model and priors files.

use serde_json::{json, Value};
use shelfwise_core::federated::{
    Aggregate, ModelFile, Priors, Received, DEFAULT_MODEL_VERSION, PRIORS_FORMAT, PRIORS_VERSION,
    SKETCH_WIDTH,
};
use shelfwise_core::rank::{Model, WEIGHT_NAMES};

/// A model file as `Shelfwise.open({ model })` takes it: an optional `version`, then
/// weights by name (every name checked, every weight in range; weights left out keep
/// the defaults).
pub fn read_model_file(json: &str) -> Result<ModelFile, String> {
    let value: Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
    let fields = value.as_object().ok_or("a model is a JSON object")?;
    let mut file = ModelFile {
        version: DEFAULT_MODEL_VERSION.into(),
        model: Model::default(),
    };
    for (name, field) in fields {
        if name == "version" {
            field
                .as_str()
                .filter(|v| !v.is_empty() && v.len() <= 64)
                .ok_or("model.version must be 1 to 64 characters")?
                .clone_into(&mut file.version);
            continue;
        }
        let weight = field
            .as_f64()
            .ok_or_else(|| format!("model.{name} must be a number"))?;
        file.model.set(name, weight).map_err(|e| e.message())?;
    }
    Ok(file)
}

/// The weights by name, in the model's order (after `version` when given), as the
/// JSON object `Shelfwise.open({ model })` takes. (Written by hand: serde_json's map
/// sorts its keys, and a model file lists its weights in the model's order.)
pub fn model_text(version: Option<&str>, model: &Model) -> String {
    let version = version.map(|v| format!("\"version\":{}", json!(v)));
    let weights = WEIGHT_NAMES
        .iter()
        .zip(model.weights)
        .map(|(name, w)| format!("{}:{}", json!(name), json!(w)));
    let fields: Vec<String> = version.into_iter().chain(weights).collect();
    ["{", &fields.join(","), "}"].concat()
}

/// A model file's JSON.
pub fn model_file_json(file: &ModelFile) -> String {
    model_text(Some(&file.version), &file.model)
}

/// Reads a priors file as `Shelfwise.open({ priors })` takes it.
pub fn read_priors(json: &str) -> Result<Priors, String> {
    let value: Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
    let header = value["format"] == PRIORS_FORMAT
        && value["version"] == 1
        && value["width"] == SKETCH_WIDTH as u64;
    if !header {
        return Err("not a shelfwise-priors file of version 1 and width 1024".into());
    }
    let k = value["k"].as_f64().ok_or("k must be a number")?;
    let buckets = value["buckets"]
        .as_array()
        .ok_or("buckets must be [bucket, count] pairs")?
        .iter()
        .map(|pair| match (pair[0].as_u64(), pair[1].as_f64()) {
            (Some(b), Some(c)) if b < SKETCH_WIDTH as u64 => Ok((b as u32, c)),
            _ => Err("buckets must be [bucket, count] pairs, buckets below 1024".to_owned()),
        })
        .collect::<Result<Vec<(u32, f64)>, String>>()?;
    Ok(Priors {
        format: PRIORS_FORMAT,
        version: PRIORS_VERSION,
        width: SKETCH_WIDTH as u32,
        k,
        reports: value["reports"].as_u64().unwrap_or(0),
        buckets,
    })
}

/// A priors file's JSON.
pub fn priors_json(priors: &Priors) -> String {
    shelfwise_core::json::to_string(priors)
}

/// One JSON line as the shop received it: anything unreadable becomes a report every
/// aggregation ignores.
pub fn received(line: &str) -> Received {
    let Ok(value) = serde_json::from_str::<Value>(line) else {
        return Received::default();
    };
    let numbers = |name: &str| -> Option<Vec<f64>> {
        value[name]
            .as_array()?
            .iter()
            .map(Value::as_f64)
            .collect::<Option<Vec<f64>>>()
    };
    Received {
        format: value["format"].as_str().unwrap_or_default().to_owned(),
        version: value["version"].as_f64().unwrap_or(f64::NAN),
        model: value["model"].as_str().unwrap_or_default().to_owned(),
        gradient: numbers("gradient"),
        sketch_epsilon: value["sketchEpsilon"].as_f64().unwrap_or(f64::NAN),
        sketch_width: value["sketchWidth"].as_f64().unwrap_or(f64::NAN),
        ones: numbers("ones"),
    }
}

/// Every non-blank line of `text` as a report.
pub fn read_reports(text: &str) -> Vec<Received> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(received)
        .collect()
}

/// What `shelfwise aggregate` prints: the new model file, the update's mean and
/// counts, and the priors.
pub fn aggregate_json(result: &Aggregate) -> String {
    let gradient = json!({
        "reports": result.reports,
        "ignored": result.ignored,
        "mean": result.mean,
    });
    format!(
        "{{\"model\":{},\"gradient\":{gradient},\"priors\":{}}}",
        model_file_json(&result.model),
        priors_json(&result.priors)
    )
}
