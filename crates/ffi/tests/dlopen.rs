//! A Rust program that knows nothing of this crate but the C symbols: it opens the shared
//! library with dlopen and calls through function pointers, as any other language would.

mod support;

use std::ffi::{CStr, CString, c_char, c_void};

use droplet_action::{DropletStatus, droplet_action_result};
use droplet_action_mock::MockServer;

type BuilderNew = unsafe extern "C" fn() -> *mut c_void;
type SetStr = unsafe extern "C" fn(*mut c_void, *const c_char) -> DropletStatus;
type Build = unsafe extern "C" fn(*mut c_void, *mut *mut c_void) -> DropletStatus;
type Get = unsafe extern "C" fn(*const c_void, i64, i64) -> droplet_action_result;
type ResultFree = unsafe extern "C" fn(*mut droplet_action_result);
type ClientFree = unsafe extern "C" fn(*mut c_void);

struct Library(*mut c_void);

impl Library {
    fn open(path: &std::path::Path) -> Self {
        let path = CString::new(path.to_str().unwrap()).unwrap();
        // SAFETY: a valid C string; the library's initialisers are Rust's, with no side effects.
        let handle = unsafe { libc::dlopen(path.as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL) };
        assert!(!handle.is_null(), "dlopen failed");
        Self(handle)
    }

    /// # Safety
    /// `T` must be the function pointer type of the symbol as the header declares it.
    unsafe fn symbol<T: Copy>(&self, name: &CStr) -> T {
        // SAFETY: the handle is open; the name is a valid C string.
        let symbol = unsafe { libc::dlsym(self.0, name.as_ptr()) };
        assert!(!symbol.is_null(), "{name:?} is not exported");
        assert_eq!(size_of::<T>(), size_of::<*mut c_void>());
        // SAFETY: the caller promises T is the symbol's function pointer type.
        unsafe { std::mem::transmute_copy(&symbol) }
    }
}

impl Drop for Library {
    fn drop(&mut self) {
        // SAFETY: the handle came from dlopen and nothing from it is used afterwards.
        unsafe { libc::dlclose(self.0) };
    }
}

#[test]
fn the_c_symbols_alone_retrieve_the_documented_action() {
    let server = MockServer::start().unwrap();
    let library = Library::open(&support::lib_dir().join("libdroplet_action.so"));
    let url = CString::new(server.base_url()).unwrap();
    // SAFETY: each type matches the declaration in include/droplet_action.h, and every
    // pointer passed is either from the library or a live C string.
    unsafe {
        let builder_new: BuilderNew = library.symbol(c"droplet_client_builder_new");
        let set_token: SetStr = library.symbol(c"droplet_client_builder_set_token");
        let set_base_url: SetStr = library.symbol(c"droplet_client_builder_set_base_url");
        let build: Build = library.symbol(c"droplet_client_builder_build");
        let get: Get = library.symbol(c"droplet_action_get");
        let result_free: ResultFree = library.symbol(c"droplet_action_result_free");
        let client_free: ClientFree = library.symbol(c"droplet_client_free");

        let builder = builder_new();
        assert_eq!(
            set_token(builder, c"mock-token".as_ptr()),
            DropletStatus::Ok
        );
        assert_eq!(set_base_url(builder, url.as_ptr()), DropletStatus::Ok);
        let mut client = std::ptr::null_mut();
        assert_eq!(build(builder, &mut client), DropletStatus::Ok);

        let mut result = get(client, 3164444, 36804636);
        assert_eq!(result.status, DropletStatus::Ok);
        assert_eq!(result.http_status, 200);
        let action = &*result.action;
        assert_eq!(action.id, 36804636);
        assert_eq!(
            CStr::from_ptr(action.status_text).to_str().unwrap(),
            "completed"
        );
        assert_eq!(
            CStr::from_ptr(action.started_at).to_str().unwrap(),
            "2020-11-14T16:29:21Z"
        );
        let region = &*action.region;
        assert_eq!(CStr::from_ptr(region.name).to_str().unwrap(), "New York 3");
        assert_eq!(region.sizes_len, 14);
        result_free(&mut result);
        assert!(result.action.is_null());
        result_free(&mut result);
        client_free(client);
    }
}
