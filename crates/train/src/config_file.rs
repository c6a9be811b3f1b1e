//! Trainer configs as TOML files: every trainer's config (`SftConfig` for SFT, pretraining and
//! the verifier's training stage; `GrpoConfig`; `VerifierConfig`) is one serde type that the CLI
//! builds from flags and that loads from a file as well — the same fields a checkpoint's
//! `deepthink.json` records. `deepthink train … --print-config` writes the file a set of flags
//! makes; `--config FILE` runs from one.

use std::path::Path;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::TrainError;

/// Reads a config from a TOML file; a malformed file or field is an error naming the file, the
/// line and the key.
pub fn read_toml<T: DeserializeOwned>(path: &Path) -> Result<T, TrainError> {
    let text = std::fs::read_to_string(path).map_err(|e| TrainError::io(path, e))?;
    from_toml(&text).map_err(|msg| TrainError::Config(format!("{}: {msg}", path.display())))
}

/// Reads a config from TOML text.
pub fn from_toml<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    toml::from_str(text).map_err(|e| e.to_string().trim().replace('\n', " "))
}

/// `skip_serializing_if` for a field left at its default (`0`, `0.0`): the configs a run records
/// name only the settings it changed.
pub(crate) fn is_default<T: Default + PartialEq>(x: &T) -> bool {
    *x == T::default()
}

/// A config as TOML text (what `read_toml` reads back).
pub fn to_toml<T: Serialize>(cfg: &T) -> Result<String, TrainError> {
    toml::to_string_pretty(cfg).map_err(|e| TrainError::Config(format!("writing the config as TOML: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SftConfig;

    #[test]
    fn an_sft_config_round_trips_and_a_partial_file_takes_defaults() {
        let cfg = SftConfig::default();
        let text = to_toml(&cfg).unwrap();
        assert!(text.contains("[data]") && text.contains("source = \"task\""), "{text}");
        assert_eq!(from_toml::<SftConfig>(&text).unwrap(), cfg);
        let partial: SftConfig = from_toml("steps = 10\n[data]\nsource = \"task\"\ntask = \"add\"\ntrace = \"carry\"\nprompt = \"plain\"\n[data.task_config]\nmax_digits = 2\n").unwrap();
        assert_eq!(partial.steps, 10);
        assert_eq!(partial.lr, SftConfig::default().lr);
    }

    #[test]
    fn bad_files_name_the_key() {
        let e = from_toml::<SftConfig>("steps = \"many\"").unwrap_err();
        assert!(e.contains("steps"), "{e}");
        let e = from_toml::<SftConfig>(
            "[data]\nsource = \"task\"\ntask = \"add\"\ntrace = \"fancy\"\nprompt = \"plain\"\n",
        )
        .unwrap_err();
        assert!(e.contains("fancy"), "{e}");
    }
}
