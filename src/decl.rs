//! napi emitter of the kernel declarations (`crates/decl/kernels.rs`, docs/design-bindings.md).
//!
//! Each declaration becomes one `#[napi]` function `name(inputs.., options.., outputs..)`: inputs are
//! borrowed typed-array views, the options one JS number each in declared order (as on wasm: no
//! object to read field by field, no array to allocate and copy per call), outputs typed arrays
//! allocated by the caller (`ts/backends/decl.ts`, sized by the declared rules) and filled in
//! place. No hand-written per-op code.
use crate::guard;
use soft_sampling_core::decl_shim::FromF64;
use napi::bindgen_prelude::*;
use napi_derive::napi;

/// Element type → the JS typed array that carries it.
pub trait Elem {
    type Arr;
}
impl Elem for f32 {
    type Arr = Float32Array;
}
impl Elem for f64 {
    type Arr = Float64Array;
}
impl Elem for i32 {
    type Arr = Int32Array;
}
impl Elem for u8 {
    type Arr = Uint8Array;
}
type Arr<T> = <T as Elem>::Arr;

/// The core options struct from the declared option values, each passed as a JS number (`f64`)
/// in declared order and converted to the field's declared type.
macro_rules! options {
    ($copts:path, [$($of:ident : $ot:ty),*]) => {{
        type CoreOpts = $copts;
        CoreOpts { $($of: <$ot as FromF64>::from_f64($of)),* }
    }};
}

macro_rules! declare_kernels {
    ($(
        $(#[doc = $doc:literal])*
        kernel $name:ident = $path:path;
        opts $opts:ident => $copts:path { $($of:ident : $ot:ty),* $(,)? };
        inputs { $($in:ident : $it:ident),* $(,)? };
        outputs { $($out:ident : $oty:ident = $rule:literal),* $(,)? };
        $(async $aname:ident;)?
    )*) => {$(
        $(#[doc = $doc])*
        #[napi]
        #[allow(clippy::too_many_arguments, unused_variables, unused_mut)]
        pub fn $name($($in: Arr<$it>,)* $($of: f64,)* $(mut $out: Arr<$oty>),*) -> Result<()> {
            guard(|| {
                let o = options!($copts, [$($of : $ot),*]);
                // SAFETY: JS is blocked during this synchronous call; the outputs are fresh,
                // distinct arrays allocated by the caller for this call.
                $path($(&$in,)* &o, $(unsafe { $out.as_mut() }),*)
            })
        }

        declare_async! { $path, $copts, [$($in : $it),*], [$($of : $ot),*], [$($out : $oty),*], $($aname)? }
    )*};
}

/// The `async <name>_async;` clause: a `#[napi]` function returning an `AsyncTask` that runs the
/// same core call on libuv's pool. The inputs are copied into Rust vectors at the call (the caller
/// may reuse or mutate its arrays at once); the outputs are the caller's fresh arrays, held (and
/// released on the JS thread) by the task, written on the pool and readable when the promise
/// resolves.
macro_rules! declare_async {
    ($path:path, $copts:path, [$($in:ident : $it:ident),*], [$($of:ident : $ot:ty),*], [$($out:ident : $oty:ident),*], ) => {};
    ($path:path, $copts:path, [$($in:ident : $it:ident),*], [$($of:ident : $ot:ty),*], [$($out:ident : $oty:ident),*], $aname:ident) => {
        #[napi(ts_return_type = "Promise<void>")]
        #[allow(clippy::too_many_arguments, unused_variables, unused_mut)]
        pub fn $aname($($in: Arr<$it>,)* $($of: f64,)* $(mut $out: Arr<$oty>),*) -> AsyncTask<DeclTask> {
            let o = options!($copts, [$($of : $ot),*]);
            $(let $in: Vec<$it> = $in.to_vec();)*
            DeclTask::new(move || {
                // SAFETY: the outputs are fresh arrays the facade allocated for this call and hands
                // to no JS code until the promise resolves; the task keeps them alive meanwhile.
                guard(|| $path($(&$in,)* &o, $(unsafe { $out.as_mut() }),*))
            })
        }
    };
}

/// The task behind every declared async function: the call, with its owned input copies and the
/// output arrays, as a closure run once on libuv's pool. The closure (and so the typed-array
/// references it holds) is dropped with the task, on the JS thread.
pub struct DeclTask(Box<dyn FnMut() -> Result<()> + Send>, bool);

impl DeclTask {
    fn new(f: impl FnMut() -> Result<()> + Send + 'static) -> AsyncTask<DeclTask> {
        AsyncTask::new(DeclTask(Box::new(f), false))
    }
}

impl napi::Task for DeclTask {
    type Output = ();
    type JsValue = ();

    fn compute(&mut self) -> Result<()> {
        if std::mem::replace(&mut self.1, true) {
            return Err(Error::new(Status::GenericFailure, "E_PANIC\t-\tasync task computed twice"));
        }
        (self.0)()
    }

    fn resolve(&mut self, _env: Env, _: ()) -> Result<()> {
        Ok(())
    }
}

include!("../crates/decl/kernels.rs");
