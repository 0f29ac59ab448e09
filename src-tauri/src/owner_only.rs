//! What the app writes is the user's alone (0600 files, 0700 folders on Unix): the profile
//! store names the organisations and keys a person uses, and each cache holds an
//! organisation's people. New files get it from the process's umask, set first thing; files
//! made by an older version or another tool are tightened when the app touches them.

use std::path::Path;

/// Every file and folder the process creates from now on is owner-only.
pub fn restrict_new_files() {
    #[cfg(unix)]
    // SAFETY: umask only swaps the process's file-creation mask; it cannot fail.
    unsafe {
        libc::umask(0o077);
    }
}

/// Tightens an existing folder to 0700 and the files directly in it to 0600.
pub fn tighten(folder: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if !folder.exists() {
            return Ok(());
        }
        std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o700))?;
        for entry in std::fs::read_dir(folder)? {
            let path = entry?.path();
            let mode = if path.is_dir() { 0o700 } else { 0o600 };
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode))?;
        }
    }
    #[cfg(not(unix))]
    let _ = folder;
    Ok(())
}
