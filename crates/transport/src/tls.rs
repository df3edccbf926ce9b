//! Which certificate authorities a client trusts.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ureq::tls::{Certificate, PemItem, RootCerts};

use crate::Error;

/// The largest CA file read: far above any real bundle (the system's is about 200 KiB).
const MAX_CA_FILE: u64 = 16 * 1024 * 1024;

/// The bundled Mozilla roots, the system's trust store when asked for, and every
/// certificate of the given PEM files.
pub(crate) fn root_certs(system: bool, ca_files: &[PathBuf]) -> Result<RootCerts, Error> {
    if !system && ca_files.is_empty() {
        return Ok(RootCerts::WebPki);
    }
    let mut certs: Vec<Certificate<'static>> = webpki_root_certs::TLS_SERVER_ROOT_CERTS
        .iter()
        .map(|der: &'static _| Certificate::from_der(der.as_ref()))
        .collect();
    if system {
        // A store that cannot be read (no system roots at all) leaves the bundled ones.
        let found = rustls_native_certs::load_native_certs();
        certs.extend(
            found
                .certs
                .iter()
                .map(|der| Certificate::from_der(der.as_ref()).to_owned()),
        );
    }
    for path in ca_files {
        certs.extend(read_ca_file(path)?);
    }
    Ok(RootCerts::Specific(Arc::new(certs)))
}

/// The certificates of a PEM file; an error unless it is readable and holds at least one.
fn read_ca_file(path: &Path) -> Result<Vec<Certificate<'static>>, Error> {
    let cannot = |e: &dyn std::fmt::Display| {
        Error::invalid(format!("cannot read the CA file {}: {e}", path.display()))
    };
    // A device or a pipe (/dev/zero, a FIFO) would never end, and opening a FIFO blocks until
    // a writer comes: the path is checked first, opened without blocking (in case it was
    // swapped in between), checked again as opened, and only a plain file is read, no more
    // than a CA bundle could be.
    if !std::fs::metadata(path).map_err(|e| cannot(&e))?.is_file() {
        return Err(cannot(&"not a regular file"));
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32);
    }
    let file = options.open(path).map_err(|e| cannot(&e))?;
    if !file.metadata().map_err(|e| cannot(&e))?.is_file() {
        return Err(cannot(&"not a regular file"));
    }
    let mut pem = Vec::new();
    file.take(MAX_CA_FILE + 1)
        .read_to_end(&mut pem)
        .map_err(|e| cannot(&e))?;
    if pem.len() as u64 > MAX_CA_FILE {
        return Err(cannot(&format!("larger than {MAX_CA_FILE} bytes")));
    }
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        match item {
            Ok(PemItem::Certificate(cert)) => certs.push(cert),
            Ok(_) => {}
            Err(e) => {
                return Err(Error::invalid(format!(
                    "the CA file {} is not valid PEM: {e}",
                    path.display()
                )));
            }
        }
    }
    if certs.is_empty() {
        return Err(Error::invalid(format!(
            "the CA file {} holds no certificate",
            path.display()
        )));
    }
    Ok(certs)
}

/// Checks a CA file as [`ClientBuilder::ca_file`](crate::ClientBuilder::ca_file) will at
/// build: readable PEM holding at least one certificate.
///
/// # Errors
/// [`Error::InvalidArgument`] saying what is wrong.
pub fn check_ca_file(path: &Path) -> Result<(), Error> {
    read_ca_file(path).map(drop)
}
