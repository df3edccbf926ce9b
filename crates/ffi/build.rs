//! Gives the shared library a SONAME that follows the version: `libdroplet_action.so.MAJOR`
//! from 1.0 on, `libdroplet_action.so.0.MINOR` before (where a minor release may break).

fn main() {
    let major = env!("CARGO_PKG_VERSION_MAJOR");
    let minor = env!("CARGO_PKG_VERSION_MINOR");
    let soname = if major == "0" {
        format!("libdroplet_action.so.0.{minor}")
    } else {
        format!("libdroplet_action.so.{major}")
    };
    let target_os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if target_os == "linux" || target_os == "android" || target_os.ends_with("bsd") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,{soname}");
    }
    println!("cargo:rustc-env=DROPLET_ACTION_SONAME={soname}");
    println!("cargo:rerun-if-changed=build.rs");
}
