//! A file's contents as LLVM brings a linker's inputs into memory:
//! `MemoryBuffer::getFile`, which maps a file of 16 KiB or more and reads a
//! smaller one. Symbol resolution needs little of a big input — a shared
//! library's dynamic symbol table, the symbol tables of an archive's
//! members — and a mapping touches only those pages, where reading the
//! file copied every byte into fresh memory first (libc.so.6 and libgcc.a
//! took most of the reading time of a small program's thin link).

use std::ffi::CString;
use std::path::Path;

use llvm_sys::core::{
    LLVMCreateMemoryBufferWithContentsOfFile, LLVMDisposeMemoryBuffer, LLVMGetBufferSize,
    LLVMGetBufferStart,
};
use llvm_sys::prelude::LLVMMemoryBufferRef;

use crate::module::take_message;

/// A whole file, mapped or read; unchanged while it lives.
pub struct FileBuffer {
    raw: LLVMMemoryBufferRef,
}

// SAFETY: a MemoryBuffer is never written after it is made; reading it
// from several threads and disposing it on another one is what lld does.
unsafe impl Send for FileBuffer {}
// SAFETY: as above; `&FileBuffer` only reads.
unsafe impl Sync for FileBuffer {}

impl FileBuffer {
    pub fn open(path: &Path) -> std::io::Result<FileBuffer> {
        use std::os::unix::ffi::OsStrExt;
        let c_path = CString::new(path.as_os_str().as_bytes())
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidInput, "NUL in path"))?;
        let mut raw = std::ptr::null_mut();
        let mut message = std::ptr::null_mut();
        // SAFETY: `c_path` is a valid C string; LLVM writes `raw` on
        // success and a message we own (freed by `take_message`) on failure.
        let failed = unsafe {
            LLVMCreateMemoryBufferWithContentsOfFile(c_path.as_ptr(), &mut raw, &mut message)
        };
        if failed != 0 {
            return Err(std::io::Error::other(take_message(message)));
        }
        Ok(FileBuffer { raw })
    }

    pub fn bytes(&self) -> &[u8] {
        // SAFETY: the buffer owns `size` bytes from `start` until it is
        // disposed, which `Drop` does only after every borrow has ended.
        unsafe {
            let start = LLVMGetBufferStart(self.raw) as *const u8;
            let size = LLVMGetBufferSize(self.raw);
            if size == 0 {
                return &[];
            }
            std::slice::from_raw_parts(start, size)
        }
    }
}

impl Drop for FileBuffer {
    fn drop(&mut self) {
        // SAFETY: we own the buffer; nothing borrows it any more.
        unsafe { LLVMDisposeMemoryBuffer(self.raw) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_the_files_bytes_small_or_mapped() {
        let dir = tempfile::tempdir().unwrap();
        for size in [0usize, 100, 4096, 70_000] {
            let path = dir.path().join(format!("f{size}"));
            let data: Vec<u8> = (0..size).map(|i| (i * 7 % 251) as u8).collect();
            std::fs::write(&path, &data).unwrap();
            assert_eq!(FileBuffer::open(&path).unwrap().bytes(), &data[..]);
        }
    }

    #[test]
    fn a_missing_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let error = FileBuffer::open(&dir.path().join("absent.o"))
            .err()
            .unwrap();
        assert!(error.to_string().contains("No such file"), "{error}");
    }
}
