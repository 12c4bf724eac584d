//! The settings the monitors read: the default sampling interval and the report precision.

use std::time::Duration;

use caliper_core::monitor::MonitorError;
use caliper_core::settings::{Settings, keys};

/// A monitor's `options.interval`, else `caliper-monitor-interval` (milliseconds).
pub(crate) fn interval(
    module: &str,
    given: Option<Duration>,
    settings: &Settings,
) -> Result<Duration, MonitorError> {
    if let Some(interval) = given {
        return Ok(interval);
    }
    let ms = settings.get_u64(keys::MONITOR_INTERVAL).map_err(|e| setting(module, e))?;
    if ms == 0 {
        return Err(MonitorError::Setting {
            module: module.into(),
            message: format!("{} must be above 0", keys::MONITOR_INTERVAL),
        });
    }
    Ok(Duration::from_millis(ms))
}

/// `caliper-report-precision`: significant digits of the normalised values (1 to 100, as
/// JavaScript's `toPrecision` takes).
pub(crate) fn precision(module: &str, settings: &Settings) -> Result<usize, MonitorError> {
    let digits = settings.get_u64(keys::REPORT_PRECISION).map_err(|e| setting(module, e))?;
    if !(1..=100).contains(&digits) {
        return Err(MonitorError::Setting {
            module: module.into(),
            message: format!("{} must be from 1 to 100, not {digits}", keys::REPORT_PRECISION),
        });
    }
    Ok(digits as usize)
}

fn setting(module: &str, e: impl std::fmt::Display) -> MonitorError {
    MonitorError::Setting { module: module.into(), message: e.to_string() }
}
