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

/// A float written into an error message: [`num`].
pub trait MessageNum: Copy {
    /// Rust's `Display` text of the value (shortest round-trip digits, no exponent).
    fn display(self) -> String;
    /// The raw bits and their width in hex digits (8 for f32, 16 for f64) and the tag (`s`, `d`).
    fn bits(self) -> (u64, usize, u8);
}

impl MessageNum for f32 {
    fn display(self) -> String {
        self.to_string()
    }
    fn bits(self) -> (u64, usize, u8) {
        (self.to_bits() as u64, 8, b's')
    }
}

impl MessageNum for f64 {
    fn display(self) -> String {
        self.to_string()
    }
    fn bits(self) -> (u64, usize, u8) {
        (self.to_bits(), 16, b'd')
    }
}

/// The text of a float in an error message. Natively Rust's `Display` (shortest round-trip digits,
/// no exponent: `0.1`, `-2.5`, `10000000000000000000`). In the wasm build it is a marker
/// `\u{1}` + `s` (f32) or `d` (f64) + the value's bits in hex + `\u{1}`, which the JS side
/// (`fromBindingError`) replaces by the same text: core::fmt's float printing (Grisu/Dragon, ~7 KiB of
/// the gzipped module) is then not in the wasm at all.
pub fn num<T: MessageNum>(x: T) -> String {
    if cfg!(target_arch = "wasm32") {
        let (bits, width, tag) = x.bits();
        let mut s = String::with_capacity(width + 3);
        s.push('\u{1}');
        s.push(tag as char);
        for k in (0..width).rev() {
            s.push(char::from_digit(((bits >> (4 * k)) & 0xf) as u32, 16).unwrap_or('0'));
        }
        s.push('\u{1}');
        s
    } else {
        x.display()
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn num_is_display_natively() {
        assert_eq!(num(0.1f32), "0.1");
        assert_eq!(num(-2.5f64), "-2.5");
        assert_eq!(num(1e19f32), "10000000000000000000");
        assert_eq!(num(1e-7f64), "0.0000001");
    }
}
