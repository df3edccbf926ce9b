//! The few helpers every export is made of: the panic boundary and argument checks.

use std::cell::{Cell, RefCell};
use std::ffi::{CStr, c_char};
use std::sync::Once;

/// Runs an export's body, turning a panic into `$on_panic` so that no unwind crosses into C.
///
/// A macro inside each body (not a wrapper function) keeps every export a plain
/// `extern "C" fn` that cbindgen can see.
macro_rules! ffi_boundary {
    ($on_panic:expr, $body:block) => {
        match $crate::boundary::catch(|| $body) {
            Ok(value) => value,
            Err(()) => $on_panic,
        }
    };
}
pub(crate) use ffi_boundary;

thread_local! {
    /// How many boundaries this thread is inside (a log callback may call back in).
    static DEPTH: Cell<u32> = const { Cell::new(0) };
    /// The message of the last panic caught on this thread.
    static LAST_PANIC: RefCell<String> = const { RefCell::new(String::new()) };
}

static QUIET_HOOK: Once = Once::new();

/// Runs `body`; a panic inside it is caught, its message kept for [`last_panic_message`],
/// and nothing is written to the process's standard error. A panic outside the library
/// still reaches the hook that was installed before.
pub(crate) fn catch<T>(body: impl FnOnce() -> T) -> Result<T, ()> {
    QUIET_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if DEPTH.with(Cell::get) == 0 {
                previous(info);
            }
        }));
    });
    DEPTH.with(|depth| depth.set(depth.get() + 1));
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(body));
    DEPTH.with(|depth| depth.set(depth.get() - 1));
    outcome.map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_owned());
        LAST_PANIC.with(|last| *last.borrow_mut() = message);
    })
}

/// The message of the last panic caught on this thread.
pub(crate) fn last_panic_message() -> String {
    LAST_PANIC.with(|last| last.borrow().clone())
}

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

    /// Run in a child process (see below): a caught panic, then one outside the library.
    fn panics_for_the_child() {
        let caught = super::catch(|| -> u32 {
            if std::hint::black_box(true) {
                panic!("a bug deep inside");
            }
            0
        });
        assert!(caught.is_err());
        assert_eq!(super::last_panic_message(), "a bug deep inside");
        let result = crate::result::panic_result();
        // SAFETY: a NUL-terminated message inside a live result.
        let message = unsafe { std::ffi::CStr::from_ptr(result.error_message) };
        assert_eq!(
            message.to_str().unwrap(),
            "internal error: a panic was caught at the library boundary: a bug deep inside"
        );
        let mut result = result;
        // SAFETY: a result from the library, freed once.
        unsafe { crate::result::droplet_action_result_free(&mut result) };
        let outside = std::panic::catch_unwind(|| {
            if std::hint::black_box(true) {
                panic!("the host's own panic");
            }
        });
        assert!(outside.is_err());
    }

    #[test]
    fn a_caught_panic_writes_nothing_to_the_process_stderr() {
        if std::env::var_os("DROPLET_ACTION_PANIC_CHILD").is_some() {
            panics_for_the_child();
            return;
        }
        let output = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "boundary::tests::a_caught_panic_writes_nothing_to_the_process_stderr",
                "--nocapture",
            ])
            .env("DROPLET_ACTION_PANIC_CHILD", "1")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{stderr}");
        assert!(!stderr.contains("a bug deep inside"), "{stderr}");
        // A panic outside the library still reaches the host's hook.
        assert!(stderr.contains("the host's own panic"), "{stderr}");
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
