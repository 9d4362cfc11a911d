//! A minimal iSCSI initiator for tests: libiscsi (`libiscsi.so.7`, from
//! the libiscsi7 package that libiscsi-bin depends on) loaded at run time
//! with `dlopen`, so writes and reads go through a real iSCSI session
//! (libiscsi-bin has no write tool). Only the synchronous calls the tests
//! need are bound.

use std::ffi::{CStr, CString, c_char, c_int, c_void};

type Context = c_void;
type Task = c_int; // The first field of `struct scsi_task` is `int status`.

#[repr(C)]
struct ScsiIovec {
    base: *mut c_void,
    len: usize,
}

/// The bound functions (signatures from libiscsi's `iscsi.h`).
struct Functions {
    create_context: unsafe extern "C" fn(*const c_char) -> *mut Context,
    set_targetname: unsafe extern "C" fn(*mut Context, *const c_char) -> c_int,
    set_session_type: unsafe extern "C" fn(*mut Context, c_int) -> c_int,
    set_username_pwd: unsafe extern "C" fn(*mut Context, *const c_char, *const c_char) -> c_int,
    full_connect_sync: unsafe extern "C" fn(*mut Context, *const c_char, c_int) -> c_int,
    get_error: unsafe extern "C" fn(*mut Context) -> *const c_char,
    #[allow(clippy::type_complexity)]
    write16_sync: unsafe extern "C" fn(
        *mut Context,
        c_int,
        u64,
        *const u8,
        u32,
        c_int,
        c_int,
        c_int,
        c_int,
        c_int,
        c_int,
    ) -> *mut Task,
    #[allow(clippy::type_complexity)]
    read16_iov_sync: unsafe extern "C" fn(
        *mut Context,
        c_int,
        u64,
        u32,
        c_int,
        c_int,
        c_int,
        c_int,
        c_int,
        c_int,
        *mut ScsiIovec,
        c_int,
    ) -> *mut Task,
    inquiry_cdb: unsafe extern "C" fn(c_int, c_int, c_int) -> *mut Task,
    add_data_in_buffer: unsafe extern "C" fn(*mut Task, c_int, *mut u8) -> c_int,
    command_sync: unsafe extern "C" fn(*mut Context, c_int, *mut Task, *mut c_void) -> *mut Task,
    free_task: unsafe extern "C" fn(*mut Task),
    logout_sync: unsafe extern "C" fn(*mut Context) -> c_int,
    destroy_context: unsafe extern "C" fn(*mut Context) -> c_int,
}

const SESSION_NORMAL: c_int = 2;
const BLOCK: c_int = 512;

/// A function pointer of type `F` from a `dlsym` result.
///
/// # Safety
/// `F` must be the `extern "C"` function pointer type of the symbol.
unsafe fn as_function<F>(pointer: *mut c_void) -> F {
    assert_eq!(std::mem::size_of::<F>(), std::mem::size_of::<*mut c_void>());
    // SAFETY: same size, and the caller vouches for the type.
    unsafe { std::mem::transmute_copy(&pointer) }
}

fn load() -> Functions {
    let name = CString::new("libiscsi.so.7").unwrap();
    // SAFETY: dlopen with a valid C string; the handle is kept for the
    // life of the process (never closed), so the symbols stay valid.
    let handle = unsafe { libc::dlopen(name.as_ptr(), libc::RTLD_NOW) };
    assert!(
        !handle.is_null(),
        "libiscsi.so.7 not found (package libiscsi7)"
    );
    let symbol = |name: &str| {
        let c_name = CString::new(name).unwrap();
        // SAFETY: handle is a live dlopen handle and c_name a C string.
        let pointer = unsafe { libc::dlsym(handle, c_name.as_ptr()) };
        assert!(!pointer.is_null(), "libiscsi has no {name}");
        pointer
    };
    // SAFETY: each symbol is the libiscsi function of that name, and the
    // function pointer types match its C prototype in iscsi.h.
    unsafe {
        Functions {
            create_context: as_function(symbol("iscsi_create_context")),
            set_targetname: as_function(symbol("iscsi_set_targetname")),
            set_session_type: as_function(symbol("iscsi_set_session_type")),
            set_username_pwd: as_function(symbol("iscsi_set_initiator_username_pwd")),
            full_connect_sync: as_function(symbol("iscsi_full_connect_sync")),
            get_error: as_function(symbol("iscsi_get_error")),
            write16_sync: as_function(symbol("iscsi_write16_sync")),
            read16_iov_sync: as_function(symbol("iscsi_read16_iov_sync")),
            inquiry_cdb: as_function(symbol("scsi_cdb_inquiry")),
            add_data_in_buffer: as_function(symbol("scsi_task_add_data_in_buffer")),
            command_sync: as_function(symbol("iscsi_scsi_command_sync")),
            free_task: as_function(symbol("scsi_free_scsi_task")),
            logout_sync: as_function(symbol("iscsi_logout_sync")),
            destroy_context: as_function(symbol("iscsi_destroy_context")),
        }
    }
}

/// A logged-in session to one LUN.
pub struct Session {
    functions: Functions,
    context: *mut Context,
    lun: c_int,
}

impl Session {
    /// Logs in as `initiator` to `target` at `portal` (`IP:PORT`), LUN
    /// `lun`, with CHAP when `chap` is given; the error text on failure.
    pub fn connect(
        initiator: &str,
        portal: &str,
        target: &str,
        lun: i32,
        chap: Option<(&str, &str)>,
    ) -> Result<Session, String> {
        let functions = load();
        let initiator = CString::new(initiator).unwrap();
        let target = CString::new(target).unwrap();
        let portal = CString::new(portal).unwrap();
        // SAFETY: the strings outlive the calls; libiscsi copies them.
        unsafe {
            let context = (functions.create_context)(initiator.as_ptr());
            assert!(!context.is_null());
            let session = Session {
                functions,
                context,
                lun,
            };
            (session.functions.set_targetname)(context, target.as_ptr());
            (session.functions.set_session_type)(context, SESSION_NORMAL);
            if let Some((user, password)) = chap {
                let user = CString::new(user).unwrap();
                let password = CString::new(password).unwrap();
                (session.functions.set_username_pwd)(context, user.as_ptr(), password.as_ptr());
            }
            if (session.functions.full_connect_sync)(context, portal.as_ptr(), lun) != 0 {
                return Err(session.error());
            }
            Ok(session)
        }
    }

    fn error(&self) -> String {
        // SAFETY: the context is live; libiscsi returns a C string it owns.
        unsafe {
            let text = (self.functions.get_error)(self.context);
            if text.is_null() {
                String::new()
            } else {
                CStr::from_ptr(text).to_string_lossy().into_owned()
            }
        }
    }

    /// Writes `data` (a multiple of 512 bytes) at block `lba`.
    pub fn write(&mut self, lba: u64, data: &[u8]) -> Result<(), String> {
        let length = u32::try_from(data.len()).unwrap();
        // SAFETY: data is valid for `length` bytes during the call; the
        // task returned is freed below.
        unsafe {
            let task = (self.functions.write16_sync)(
                self.context,
                self.lun,
                lba,
                data.as_ptr(),
                length,
                BLOCK,
                0,
                0,
                0,
                0,
                0,
            );
            self.finish(task)
        }
    }

    /// Reads `length` bytes (a multiple of 512) at block `lba`.
    pub fn read(&mut self, lba: u64, length: usize) -> Result<Vec<u8>, String> {
        let mut buffer = vec![0u8; length];
        let mut iov = ScsiIovec {
            base: buffer.as_mut_ptr().cast(),
            len: length,
        };
        // SAFETY: the buffer and iovec outlive the synchronous call; the
        // task returned is freed below.
        unsafe {
            let task = (self.functions.read16_iov_sync)(
                self.context,
                self.lun,
                lba,
                u32::try_from(length).unwrap(),
                BLOCK,
                0,
                0,
                0,
                0,
                0,
                &mut iov,
                1,
            );
            self.finish(task)?;
        }
        Ok(buffer)
    }

    /// The raw bytes of VPD page `page` (INQUIRY with EVPD set), as the
    /// target sent them: header and all, trimmed to the page's own length.
    /// (`iscsi-inq` prints binary designators with `%s`, so it cannot show
    /// one holding a zero byte.)
    pub fn inquiry_vpd(&mut self, page: u8) -> Result<Vec<u8>, String> {
        const ALLOCATION: usize = 255;
        let mut buffer = vec![0u8; ALLOCATION];
        // SAFETY: the buffer outlives the synchronous command and is only
        // borrowed by the task (libiscsi does not free caller buffers);
        // the task is freed by `finish` (or, if it could not be sent,
        // left to the process exit rather than risk a double free).
        unsafe {
            let task = (self.functions.inquiry_cdb)(1, c_int::from(page), ALLOCATION as c_int);
            if task.is_null() {
                return Err("scsi_cdb_inquiry failed".to_owned());
            }
            if (self.functions.add_data_in_buffer)(task, ALLOCATION as c_int, buffer.as_mut_ptr())
                != 0
            {
                (self.functions.free_task)(task);
                return Err("scsi_task_add_data_in_buffer failed".to_owned());
            }
            let done =
                (self.functions.command_sync)(self.context, self.lun, task, std::ptr::null_mut());
            self.finish(done)?;
        }
        if buffer[1] != page {
            return Err(format!(
                "asked for VPD page {page:#x}, got {:#x}",
                buffer[1]
            ));
        }
        let length = 4 + usize::from(u16::from_be_bytes([buffer[2], buffer[3]]));
        buffer.truncate(length.min(ALLOCATION));
        Ok(buffer)
    }

    /// Checks and frees a task.
    unsafe fn finish(&mut self, task: *mut Task) -> Result<(), String> {
        if task.is_null() {
            return Err(self.error());
        }
        // SAFETY: task points to a live scsi_task whose first field is
        // the SCSI status.
        let status = unsafe { *task };
        // SAFETY: the task came from libiscsi and is freed once.
        unsafe { (self.functions.free_task)(task) };
        if status == 0 {
            Ok(())
        } else {
            Err(format!("SCSI status {status}: {}", self.error()))
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // SAFETY: the context is live and destroyed exactly once.
        unsafe {
            (self.functions.logout_sync)(self.context);
            (self.functions.destroy_context)(self.context);
        }
    }
}
