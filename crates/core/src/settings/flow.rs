//! Which of the five phases of a run happen: Caliper's `caliper-flow-skip-*` and
//! `caliper-flow-only-*` settings.
//!
//! By default every phase runs. `skip-<phase>` leaves phases out; `only-<phase>` runs that
//! phase alone. Mixing skip and only settings, or setting more than one only, is an error,
//! as in Caliper.

use super::error::SettingsError;
use super::{Settings, keys};

/// The phases of a run that are enabled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flow {
    /// Run the network configuration's `caliper.command.start`.
    pub start: bool,
    /// Call the manager connector's `init`.
    pub init: bool,
    /// Call `install_smart_contract`.
    pub install: bool,
    /// Run the rounds.
    pub test: bool,
    /// Run the network configuration's `caliper.command.end`.
    pub end: bool,
}

impl Default for Flow {
    /// Every phase.
    fn default() -> Self {
        Flow { start: true, init: true, install: true, test: true, end: true }
    }
}

/// The phases in order, with their skip and only keys.
const PHASES: [(&str, &str, &str); 5] = [
    ("start", keys::FLOW_SKIP_START, keys::FLOW_ONLY_START),
    ("init", keys::FLOW_SKIP_INIT, keys::FLOW_ONLY_INIT),
    ("install", keys::FLOW_SKIP_INSTALL, keys::FLOW_ONLY_INSTALL),
    ("test", keys::FLOW_SKIP_TEST, keys::FLOW_ONLY_TEST),
    ("end", keys::FLOW_SKIP_END, keys::FLOW_ONLY_END),
];

impl Flow {
    /// The flow the settings ask for.
    pub fn from_settings(settings: &Settings) -> Result<Flow, SettingsError> {
        let mut skips = Vec::new();
        let mut onlys = Vec::new();
        for (i, (_, skip, only)) in PHASES.iter().enumerate() {
            if settings.get_bool(skip)? {
                skips.push(i);
            }
            if settings.get_bool(only)? {
                onlys.push(i);
            }
        }
        let describe = |key: &str| match settings.source(key) {
            Some(source) => format!("{key} (from {source})"),
            None => key.to_string(),
        };
        if !skips.is_empty() && !onlys.is_empty() {
            return Err(SettingsError::Flow {
                message: format!(
                    "caliper-flow-skip-* and caliper-flow-only-* settings cannot be combined: {} and {} are both set",
                    describe(PHASES[skips[0]].1),
                    describe(PHASES[onlys[0]].2),
                ),
            });
        }
        if onlys.len() > 1 {
            let set: Vec<String> = onlys.iter().map(|&i| describe(PHASES[i].2)).collect();
            return Err(SettingsError::Flow {
                message: format!(
                    "at most one caliper-flow-only-* setting may be true; set: {}",
                    set.join(", ")
                ),
            });
        }
        let enabled = |i: usize| match onlys.first() {
            Some(&only) => i == only,
            None => !skips.contains(&i),
        };
        Ok(Flow {
            start: enabled(0),
            init: enabled(1),
            install: enabled(2),
            test: enabled(3),
            end: enabled(4),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flow(pairs: &[(&str, bool)]) -> Result<Flow, SettingsError> {
        let mut settings = Settings::default();
        for (key, value) in pairs {
            settings.set(key, *value);
        }
        Flow::from_settings(&settings)
    }

    #[test]
    fn every_phase_runs_by_default() {
        assert_eq!(flow(&[]).ok(), Some(Flow::default()));
    }

    #[test]
    fn skips_leave_phases_out() {
        let got = flow(&[(keys::FLOW_SKIP_START, true), (keys::FLOW_SKIP_END, true)]).expect("valid flow");
        assert_eq!(got, Flow { start: false, init: true, install: true, test: true, end: false });
    }

    #[test]
    fn only_runs_one_phase() {
        let got = flow(&[(keys::FLOW_ONLY_TEST, true)]).expect("valid flow");
        assert_eq!(got, Flow { start: false, init: false, install: false, test: true, end: false });
    }

    #[test]
    fn mixing_skip_and_only_is_an_error() {
        let err = flow(&[(keys::FLOW_SKIP_INIT, true), (keys::FLOW_ONLY_TEST, true)]).expect_err("conflict");
        let text = err.to_string();
        assert!(text.contains("cannot be combined"), "{text}");
        assert!(text.contains("caliper-flow-skip-init (from an in-memory override)"), "{text}");
        assert!(text.contains("caliper-flow-only-test"), "{text}");
    }

    #[test]
    fn two_onlys_are_an_error() {
        let err = flow(&[(keys::FLOW_ONLY_START, true), (keys::FLOW_ONLY_END, true)]).expect_err("conflict");
        let text = err.to_string();
        assert!(text.contains("at most one"), "{text}");
        assert!(text.contains("caliper-flow-only-start") && text.contains("caliper-flow-only-end"), "{text}");
    }

    #[test]
    fn a_non_boolean_names_the_key_and_its_source() {
        let err = flow(&[]).and_then(|_| {
            let mut settings = Settings::default();
            settings.set(keys::FLOW_SKIP_TEST, "maybe");
            Flow::from_settings(&settings)
        });
        let text = err.expect_err("not a boolean").to_string();
        assert!(
            text.contains(
                "caliper-flow-skip-test = \"maybe\" (from an in-memory override): expected true or false"
            ),
            "{text}"
        );
    }
}
