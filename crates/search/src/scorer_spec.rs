//! Verifiers by name, as `--verifier` and a server's request take them: `oracle` (the task's own
//! checker and step labels: an upper bound), `confidence:DIR` (the model in DIR's own token
//! confidence in each step, no training; DeepConf), or a verifier checkpoint directory from
//! `deepthink train verifier`. And which of a process and an outcome verifier a strategy uses.

use std::path::Path;

use crate::confidence_scorer::ConfidenceScorer;
use crate::error::SearchError;
use crate::model_scorer::ModelScorer;
use crate::scorer::{OracleScorer, Scorer};

/// The verifier a spec names; a checkpoint that does not load is an error naming it.
pub fn load_scorer(spec: &str) -> Result<Box<dyn Scorer>, SearchError> {
    if spec == "oracle" {
        return Ok(Box::new(OracleScorer::default()));
    }
    let load = |dir: &str, what: &str| {
        deepthink_model::load_checkpoint(Path::new(dir))
            .map_err(|e| SearchError::Verifier(format!("loading {what} {dir}: {e}")))
    };
    if let Some(dir) = spec.strip_prefix("confidence:") {
        let ck = load(dir, "confidence model")?;
        return Ok(Box::new(ConfidenceScorer { model: ck.model, tokenizer: ck.tokenizer, label: spec.to_string() }));
    }
    let ck = load(spec, "verifier")?;
    Ok(Box::new(ModelScorer { model: ck.model, tokenizer: ck.tokenizer, label: spec.to_string() }))
}

/// Which verifier a strategy uses: the outcome verifier for whole-solution choices (best-of-n,
/// weighted-majority) if one was given, the process verifier otherwise.
pub fn scorer_for<'a>(
    strategy: &str,
    prm: Option<&'a dyn Scorer>,
    orm: Option<&'a dyn Scorer>,
) -> Option<&'a dyn Scorer> {
    match strategy {
        "best-of-n" | "weighted-majority" => orm.or(prm),
        _ => prm.or(orm),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_name_what_they_load() {
        assert_eq!(load_scorer("oracle").unwrap().name(), "oracle");
        let e = load_scorer("/no/such/verifier").err().unwrap().to_string();
        assert!(e.contains("loading verifier /no/such/verifier"), "{e}");
        let e = load_scorer("confidence:/nope").err().unwrap().to_string();
        assert!(e.contains("confidence model /nope"), "{e}");
        let (p, o) = (OracleScorer::default(), OracleScorer::default());
        let (prm, orm): (&dyn Scorer, &dyn Scorer) = (&p, &o);
        assert!(std::ptr::addr_eq(scorer_for("best-of-n", Some(prm), Some(orm)).unwrap(), orm));
        assert!(std::ptr::addr_eq(scorer_for("beam", Some(prm), Some(orm)).unwrap(), prm));
        assert!(std::ptr::addr_eq(scorer_for("beam", None, Some(orm)).unwrap(), orm));
    }
}
