//! Files and folders the server makes are its owner's alone (0600 and 0700 on Unix): the
//! database holds account hashes and personal data, the mail and SMS folders hold live links
//! and codes. Existing ones are tightened too. SQLite gives its `-wal` and `-shm` files the
//! database file's mode, so making that one right covers them.

use std::io;
use std::path::Path;

/// Creates `folder` (and its parents) if missing; the folder itself is left owner-only.
pub fn owner_only_folder(folder: &Path) -> io::Result<()> {
    std::fs::create_dir_all(folder)?;
    restrict(folder, 0o700)
}

/// Creates `file` empty if missing, and leaves it owner-only.
pub fn owner_only_file(file: &Path) -> io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(file)?;
    restrict(file, 0o600)
}

/// Writes `contents` to a new owner-only `file`.
pub async fn write_owner_only(file: &Path, contents: &[u8]) -> io::Result<()> {
    let (file, contents) = (file.to_owned(), contents.to_owned());
    tokio::task::spawn_blocking(move || {
        owner_only_file(&file)?;
        std::fs::write(&file, contents)
    })
    .await
    .map_err(io::Error::other)?
}

/// Appends a line to an owner-only `file`, creating it if missing.
pub async fn append_owner_only(file: &Path, line: &str) -> io::Result<()> {
    let (file, line) = (file.to_owned(), line.to_owned());
    tokio::task::spawn_blocking(move || {
        use std::io::Write;
        owner_only_file(&file)?;
        let mut opened = std::fs::OpenOptions::new().append(true).open(&file)?;
        opened.write_all(line.as_bytes())?;
        opened.sync_data()
    })
    .await
    .map_err(io::Error::other)?
}

#[cfg(unix)]
fn restrict(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn restrict(_path: &Path, _mode: u32) -> io::Result<()> {
    // Windows: files in the user's profile inherit its owner-only ACL.
    Ok(())
}
