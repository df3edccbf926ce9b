//! The few helpers every export is made of: the panic boundary and argument checks.

use std::ffi::{CStr, c_char};

/// Runs an export's body, turning a panic into `$on_panic` so that no unwind crosses into C.
///
/// A macro inside each body (not a wrapper function) keeps every export a plain
/// `extern "C" fn` that cbindgen can see.
macro_rules! ffi_boundary {
    ($on_panic:expr, $body:block) => {
        match ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| $body)) {
            Ok(value) => value,
            Err(_) => $on_panic,
        }
    };
}
pub(crate) use ffi_boundary;

/// Why a C string argument was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StrArgError {
    Null,
    NotUtf8,
}

/// Borrows a NUL-terminated UTF-8 argument.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string that stays valid and unchanged for
/// `'a`, as the header requires of every string argument.
pub(crate) unsafe fn str_arg<'a>(ptr: *const c_char) -> Result<&'a str, StrArgError> {
    if ptr.is_null() {
        return Err(StrArgError::Null);
    }
    // SAFETY: not NULL, and NUL-terminated and valid for 'a by this function's contract.
    let text = unsafe { CStr::from_ptr(ptr) };
    text.to_str().map_err(|_| StrArgError::NotUtf8)
}
