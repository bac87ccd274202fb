//! The one error type of the core. Bindings map `code` to the JS error's stable `code`.

use std::fmt;

/// A precondition of a kernel failed. `code` is stable (`E_SHAPE`, `E_VALUE`, ...),
/// `arg` names the offending argument.
#[derive(Debug, Clone, PartialEq)]
pub struct CoreError {
    pub code: &'static str,
    pub arg: &'static str,
    pub message: String,
}

impl CoreError {
    pub fn shape(arg: &'static str, message: impl Into<String>) -> Self {
        CoreError { code: "E_SHAPE", arg, message: message.into() }
    }
    pub fn value(arg: &'static str, message: impl Into<String>) -> Self {
        CoreError { code: "E_VALUE", arg, message: message.into() }
    }
}

impl fmt::Display for CoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.code, self.arg, self.message)
    }
}

impl std::error::Error for CoreError {}

pub type Result<T> = std::result::Result<T, CoreError>;

/// Checks that `buf` holds exactly `expected` elements.
pub fn check_len<T>(arg: &'static str, buf: &[T], expected: usize) -> Result<()> {
    if buf.len() != expected {
        return Err(CoreError::shape(
            arg,
            format!("expected {} elements, got {}", expected, buf.len()),
        ));
    }
    Ok(())
}
