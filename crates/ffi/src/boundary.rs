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

#[cfg(test)]
mod tests {
    use crate::status::DropletStatus;

    #[test]
    fn a_panic_inside_the_boundary_becomes_the_fallback_value() {
        let status = ffi_boundary!(DropletStatus::Panic, {
            if std::hint::black_box(true) {
                panic!("a bug deep inside");
            }
            DropletStatus::Ok
        });
        assert_eq!(status, DropletStatus::Panic);
    }

    #[test]
    fn without_a_panic_the_body_value_passes_through() {
        let status = ffi_boundary!(DropletStatus::Panic, { DropletStatus::Ok });
        assert_eq!(status, DropletStatus::Ok);
    }

    #[test]
    fn string_arguments_are_checked_for_null_and_utf8() {
        // SAFETY: NULL, and NUL-terminated literals that live for the whole test.
        unsafe {
            assert_eq!(
                super::str_arg(std::ptr::null()),
                Err(super::StrArgError::Null)
            );
            assert_eq!(
                super::str_arg(c"\xff".as_ptr()),
                Err(super::StrArgError::NotUtf8)
            );
            assert_eq!(super::str_arg(c"nyc3".as_ptr()), Ok("nyc3"));
        }
    }
}
