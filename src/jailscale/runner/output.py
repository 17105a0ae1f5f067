"""Writing results so that nothing partial is ever left: a file is written whole or not at all, and
the three outputs of an assessment change together.

The rules:

- A file is written to a temporary file in the same folder, flushed to disk (``fsync``) and renamed
  over the target (``os.replace``, atomic on POSIX): a reader sees the old file or the new one.
- An output folder's result files (``assessment.json``, ``report.md``, ``report.html``) are written
  into a temporary folder beside it, then swapped with the folder in one step (Linux
  ``renameat2(RENAME_EXCHANGE)``; elsewhere two renames, with the old folder restored by the next run
  if a crash falls between them). Anything else the user keeps in the folder is moved back into the
  new one (files as hard links before the swap; folders moved just before it), and the old results
  are removed. A SIGKILL at any point leaves the complete previous result or the complete new one.
- Symbolic links are never written through: ``--out`` itself may not be a link, and files in it
  are replaced, never opened for writing.
- Failures: a full disk or an I/O error is an :class:`EnvironmentFault` (exit 3); a folder the user
  cannot write, or a path that is not a folder, a :class:`UserError` (exit 2). Either way the
  temporary files are removed and the message says what was and was not written.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from ..errors import EnvironmentFault, UserError
from ..textsafe import quote

#: The files an assessment writes; the rest of an output folder is the user's.
RESULT_FILES = ("assessment.json", "report.md", "report.html")
_OLD = ".jailscale-old-"
_NEW = ".jailscale-new-"
_RENAME_EXCHANGE = 2  # linux/fs.h
_ENVIRONMENT = {errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EROFS, errno.EMFILE, errno.ENFILE, errno.ENOMEM}


def _shown(p: Path) -> str:
    return quote(str(p), 160)


def os_error(e: OSError, doing: str) -> Exception:
    """An OSError as the documented error: environment (disk full, I/O error, read-only file system)
    or user (permission, not a folder, ...), one line naming what was being done."""
    reason = e.strerror or str(e)
    if e.errno in (errno.ENOSPC, errno.EDQUOT):
        reason += " (the disk is full)"
    cls = EnvironmentFault if e.errno in _ENVIRONMENT else UserError
    return cls(f"{doing}: {reason}")


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_new(path: Path, text: str) -> None:
    """Create ``path`` (which must not exist; links are not followed) with ``text``, synced."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags, 0o644)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


def write_file_atomic(path: Path, text: str) -> Path:
    """Replace ``path`` with ``text`` atomically (see the module docstring); refuses a symbolic link."""
    path = Path(path)
    if path.is_symlink():
        raise UserError(f"{_shown(path)} is a symbolic link; jailscale does not write through links: "
                        "give another path")
    if path.is_dir():
        raise UserError(f"{_shown(path)} is a folder; give a file path")
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise os_error(e, f"cannot create folder {_shown(folder)}") from None
    tmp = folder / f"{_NEW}{path.name}.{os.getpid()}"
    try:
        _write_new(tmp, text)
        os.replace(tmp, path)
        _fsync_dir(folder)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise os_error(e, f"cannot write {_shown(path)} (nothing was written)") from None
    return path


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically with renameat2(RENAME_EXCHANGE); False when the system cannot."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    fn = getattr(libc, "renameat2", None)
    if fn is None:
        return False
    at_fdcwd = -100
    rc = fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(a))


def recover(out_dir: Path) -> None:
    """Finish what a killed run left: the old folder put back when the new one never arrived, the
    user's files moved back from an old folder, temporary folders removed."""
    parent = out_dir.parent
    if not parent.is_dir():
        return
    prefix_old, prefix_new = f"{_OLD}{out_dir.name}.", f"{_NEW}{out_dir.name}."
    for entry in sorted(parent.iterdir()):
        if entry.is_symlink() or not entry.is_dir() or not entry.name.startswith((prefix_old, prefix_new)):
            continue
        if entry.name.startswith(prefix_old) and not out_dir.exists() and not out_dir.is_symlink():
            os.rename(entry, out_dir)  # the crash fell between the two renames: restore
            continue
        if out_dir.is_dir() and not out_dir.is_symlink():
            # after an exchange the temporary name holds the old folder: give the user's files back
            for item in entry.iterdir():
                if item.name not in RESULT_FILES and not (out_dir / item.name).exists():
                    os.rename(item, out_dir / item.name)
        shutil.rmtree(entry, ignore_errors=True)


def write_results(out_dir: Path, files: Mapping[str, str]) -> list[Path]:
    """Write ``files`` (name -> text, names from :data:`RESULT_FILES`) into ``out_dir`` as one step."""
    out_dir = Path(out_dir)
    if out_dir.is_symlink():
        raise UserError(f"output folder {_shown(out_dir)} is a symbolic link; jailscale does not write through "
                        "links: give the real folder")
    if out_dir.exists() and not out_dir.is_dir():
        raise UserError(f"output folder {_shown(out_dir)} exists and is not a folder; give a folder path")
    parent = out_dir.absolute().parent
    doing = f"cannot write the results to {_shown(out_dir)}"
    try:
        parent.mkdir(parents=True, exist_ok=True)
        recover(out_dir.absolute())
        tmp = Path(tempfile.mkdtemp(prefix=f"{_NEW}{out_dir.name}.", dir=parent))
    except OSError as e:
        raise os_error(e, doing + " (nothing was written)") from None
    try:
        for name, text in files.items():
            _write_new(tmp / name, text)
        os.chmod(tmp, 0o755)
        _fsync_dir(tmp)
        target = out_dir.absolute()
        if not target.exists():
            os.rename(tmp, target)
        else:
            _swap(tmp, target)
        _fsync_dir(parent)
    except OSError as e:
        shutil.rmtree(tmp, ignore_errors=True)
        raise os_error(e, doing + " (nothing partial was left; the folder holds what it held before)") from None
    return [out_dir / name for name in files]


def _carry_over(new: Path, target: Path) -> list[str]:
    """Give the new folder the user's files from the old one before the swap: regular files as hard
    links (the same file, no copy), symbolic links as links; folders are returned, to be moved in
    just before the swap (a crash in that instant leaves them in the temporary folder, from which
    the next run moves them back)."""
    folders = []
    for item in target.iterdir():
        if item.name in RESULT_FILES or (new / item.name).exists() or (new / item.name).is_symlink():
            continue
        if item.is_symlink():
            os.symlink(os.readlink(item), new / item.name)
        elif item.is_dir():
            folders.append(item.name)
        else:
            try:
                os.link(item, new / item.name, follow_symlinks=False)
            except OSError:
                shutil.copy2(item, new / item.name, follow_symlinks=False)
    return folders


def _swap(new: Path, target: Path) -> None:
    """Put ``new`` where ``target`` is, with the user's other files; drop the old results."""
    for name in _carry_over(new, target):
        os.rename(target / name, new / name)
    if _exchange(new, target):
        old = new  # after the exchange the temporary name holds the old folder
    else:
        old = target.with_name(f"{_OLD}{target.name}.{os.getpid()}")
        os.rename(target, old)
        os.rename(new, target)
    for item in old.iterdir():  # anything that appeared meanwhile
        if item.name not in RESULT_FILES and not (target / item.name).exists():
            os.rename(item, target / item.name)
    shutil.rmtree(old, ignore_errors=True)
