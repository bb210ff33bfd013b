//! The embedded QuickJS engine, on a thread of its own: it runs one file's function (a
//! migration's `up`, a config file's export) and hands every database call it makes to a
//! [`Host`] awaited on the caller's task, one at a time, in order.
//!
//! QuickJS is single-threaded and its values are not `Send`, while a migration runs as a
//! future on the CLI's runtime, inside the transaction that records it. So the engine lives
//! on its own thread, where a call into the database blocks until the host answered it:
//! from JavaScript each call is a promise settled before the next line runs, which is how
//! sequelize-cli's migrations await them.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::mpsc as blocking;
use std::time::{Duration, Instant};

use rquickjs::context::EvalOptions;
use rquickjs::{CatchResultExt, CaughtError, Context, Ctx, Function, Object, Promise, Runtime};
use serde_json::Value as Json;
use tokio::sync::{mpsc, oneshot};

/// The prelude: `require`, `path`, `process.env`, `Sequelize` and `queryInterface`.
const PRELUDE: &str = include_str!("prelude.js");

/// How long a file may run before it is stopped (a loop that never ends): five minutes,
/// or `SEQUELIZE_JS_TIMEOUT` seconds.
pub(crate) fn time_limit() -> Result<Duration, String> {
    match std::env::var("SEQUELIZE_JS_TIMEOUT") {
        Err(_) => Ok(Duration::from_secs(300)),
        Ok(text) => (text.parse::<u64>().ok().filter(|s| *s > 0))
            .map(Duration::from_secs)
            .ok_or_else(|| {
                format!("SEQUELIZE_JS_TIMEOUT must be a number of seconds, not {text:?}")
            }),
    }
}

/// What the engine runs.
pub(crate) enum Task {
    /// `direction` (`up` or `down`) of the migration or seeder in the file.
    Run {
        file: PathBuf,
        direction: &'static str,
    },
    /// The value the file exports (`module.exports`), settled if it is a promise or a
    /// function, as JSON.
    Exported { file: PathBuf },
}

/// The side of the engine that reaches the database: answers each call a file makes.
pub(crate) trait Host: Send {
    /// Answers `method` with `args` (JSON as the prelude sends it); an `Err` is thrown in
    /// JavaScript as an `Error` with that message.
    fn call<'a>(
        &'a mut self,
        method: &'a str,
        args: Json,
    ) -> Pin<Box<dyn Future<Output = Result<Json, String>> + Send + 'a>>;
}

/// Why a file failed: its message, and where (the file and line the exception names).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ScriptError {
    pub(crate) at: Option<String>,
    pub(crate) message: String,
}

impl std::fmt::Display for ScriptError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.at {
            Some(at) => write!(f, "{at}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl ScriptError {
    fn new(message: impl Into<String>) -> Self {
        ScriptError {
            at: None,
            message: message.into(),
        }
    }
}

/// One call from the engine, with where to send its answer.
struct HostCall {
    method: String,
    args: Json,
    reply: blocking::Sender<Result<Json, String>>,
}

/// Runs `task` on an engine of its own, answering its calls with `host`; its result is the
/// JSON the task gives (`null` for a migration).
pub(crate) async fn run(
    task: Task,
    host: &mut dyn Host,
    limit: Duration,
) -> Result<Json, ScriptError> {
    let (calls, mut incoming) = mpsc::unbounded_channel::<HostCall>();
    let (done, finished) = oneshot::channel();
    let cwd = std::env::current_dir()
        .map_err(|e| ScriptError::new(format!("no working directory: {e}")))?;
    std::thread::Builder::new()
        .name("sequelize-js".into())
        .spawn(move || {
            let _ = done.send(run_on_this_thread(&task, &cwd, calls, limit));
        })
        .map_err(|e| ScriptError::new(format!("cannot start the JavaScript engine: {e}")))?;
    // The channel closes when the engine's thread is done with it.
    while let Some(call) = incoming.recv().await {
        let answer = host.call(&call.method, call.args).await;
        let _ = call.reply.send(answer);
    }
    finished.await.unwrap_or_else(|_| {
        Err(ScriptError::new(
            "the JavaScript engine stopped unexpectedly",
        ))
    })
}

/// Runs `task` on this thread, for a file that makes no database calls (a config file):
/// a call it makes fails with an error saying so.
pub(crate) fn run_without_host(task: Task, limit: Duration) -> Result<Json, ScriptError> {
    let cwd = std::env::current_dir()
        .map_err(|e| ScriptError::new(format!("no working directory: {e}")))?;
    let (calls, incoming) = mpsc::unbounded_channel::<HostCall>();
    drop(incoming);
    run_on_this_thread(&task, &cwd, calls, limit)
}

fn run_on_this_thread(
    task: &Task,
    cwd: &Path,
    calls: mpsc::UnboundedSender<HostCall>,
    limit: Duration,
) -> Result<Json, ScriptError> {
    let engine = |e: rquickjs::Error| ScriptError::new(format!("JavaScript engine: {e}"));
    let runtime = Runtime::new().map_err(engine)?;
    let deadline = Instant::now() + limit;
    runtime.set_interrupt_handler(Some(Box::new(move || Instant::now() > deadline)));
    let context = Context::full(&runtime).map_err(engine)?;
    let file = match task {
        Task::Run { file, .. } | Task::Exported { file } => file.clone(),
    };
    context.with(|ctx| {
        install(&ctx, cwd, calls).map_err(engine)?;
        let outcome = (|| {
            let sequelize: Object = ctx.globals().get("__sequelize")?;
            let shown = file.display().to_string();
            let promise: Promise = match task {
                Task::Run { direction, .. } => {
                    let run: Function = sequelize.get("run")?;
                    run.call((shown, *direction))?
                }
                Task::Exported { .. } => {
                    let exported: Function = sequelize.get("exported")?;
                    exported.call((shown,))?
                }
            };
            promise.finish::<rquickjs::Value>()
        })();
        match outcome.catch(&ctx) {
            Ok(value) => Ok(match value.as_string() {
                Some(text) => {
                    let text = text.to_string().map_err(engine)?;
                    serde_json::from_str(&text).map_err(|e| ScriptError::new(e.to_string()))?
                }
                None => Json::Null,
            }),
            Err(CaughtError::Error(rquickjs::Error::WouldBlock)) => Err(ScriptError {
                at: Some(file.display().to_string()),
                message: "its promise never settles (nothing is left to run that could settle it)"
                    .into(),
            }),
            Err(caught) if Instant::now() > deadline => Err(ScriptError {
                message: format!(
                    "stopped after running for {} s (SEQUELIZE_JS_TIMEOUT sets the limit)",
                    limit.as_secs()
                ),
                ..described(caught, &file)
            }),
            Err(caught) => Err(described(caught, &file)),
        }
    })
}

/// The natives the prelude uses, then the prelude.
fn install<'js>(
    ctx: &Ctx<'js>,
    cwd: &Path,
    calls: mpsc::UnboundedSender<HostCall>,
) -> rquickjs::Result<()> {
    let globals = ctx.globals();
    let host = Function::new(
        ctx.clone(),
        move |ctx: Ctx<'js>, method: String, args: String| {
            let thrown = |message: &str| rquickjs::Exception::throw_message(&ctx, message);
            let args: Json = serde_json::from_str(&args).map_err(|e| thrown(&e.to_string()))?;
            match method.as_str() {
                "exists" => {
                    return Ok(
                        Json::Bool(args.as_str().is_some_and(|p| Path::new(p).is_file()))
                            .to_string(),
                    )
                }
                "log" => {
                    println!("{}", args.as_str().unwrap_or_default());
                    return Ok("null".to_owned());
                }
                _ => {}
            }
            let (reply, answer) = blocking::channel();
            let call_name = method.clone();
            calls
                .send(HostCall {
                    method,
                    args,
                    reply,
                })
                .map_err(|_| {
                    thrown(&format!(
                        "`{}` reaches the database, which this file cannot",
                        call_name
                    ))
                })?;
            match answer.recv() {
                Ok(Ok(json)) => Ok(json.to_string()),
                Ok(Err(message)) => Err(thrown(&message)),
                Err(_) => Err(thrown("the database side is gone")),
            }
        },
    )?;
    globals.set("__sequelize_host", host)?;
    let read = Function::new(ctx.clone(), |ctx: Ctx<'js>, path: String| {
        std::fs::read_to_string(&path).map_err(|e| {
            rquickjs::Exception::throw_message(&ctx, &format!("cannot read {path}: {e}"))
        })
    })?;
    globals.set("__sequelize_read", read)?;
    let evaluate = Function::new(
        ctx.clone(),
        |ctx: Ctx<'js>, source: String, file: String| {
            ctx.eval_with_options::<rquickjs::Value<'js>, _>(source, script(file))
        },
    )?;
    globals.set("__sequelize_eval", evaluate)?;
    globals.set("__sequelize_cwd", cwd.display().to_string())?;
    let env: serde_json::Map<String, Json> = std::env::vars()
        .map(|(k, v)| (k, Json::String(v)))
        .collect();
    globals.set("__sequelize_env", Json::Object(env).to_string())?;
    ctx.eval_with_options::<(), _>(PRELUDE, script("sequelize-rs prelude".into()))
}

/// How a file is evaluated: as a script (CommonJS files are not modules), sloppy unless it
/// says `'use strict'`, named `file` in stack traces.
fn script(file: String) -> EvalOptions {
    let mut options = EvalOptions::default();
    options.strict = false;
    options.filename = Some(file);
    options
}

/// A JavaScript failure as its message and the line of `file` it names.
fn described(caught: CaughtError<'_>, file: &Path) -> ScriptError {
    let (message, stack) = match &caught {
        CaughtError::Exception(e) => (
            e.message().unwrap_or_else(|| "an exception".into()),
            e.stack().unwrap_or_default(),
        ),
        CaughtError::Value(v) => (format!("{v:?}"), String::new()),
        CaughtError::Error(e) => (e.to_string(), String::new()),
    };
    let shown = file.display().to_string();
    let at = stack
        .lines()
        .find_map(|frame| {
            let start = frame.find(&shown)?;
            let rest = &frame[start..];
            Some(rest.trim_end_matches(')').to_owned())
        })
        .or(Some(shown));
    ScriptError { at, message }
}
