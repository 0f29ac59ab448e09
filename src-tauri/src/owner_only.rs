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

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn an_existing_folder_and_its_files_are_tightened() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("app");
        std::fs::create_dir_all(folder.join("profiles")).unwrap();
        std::fs::write(folder.join("profiles.json"), "{}").unwrap();
        for path in [
            &folder,
            &folder.join("profiles"),
            &folder.join("profiles.json"),
        ] {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        tighten(&folder).unwrap();
        assert_eq!(mode(&folder), 0o700);
        assert_eq!(mode(&folder.join("profiles")), 0o700);
        assert_eq!(mode(&folder.join("profiles.json")), 0o600);
        tighten(&dir.path().join("missing")).unwrap();
    }
}
