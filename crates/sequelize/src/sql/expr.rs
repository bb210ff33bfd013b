//! Expressions: columns, bound values, comparisons, the boolean connectives, functions,
//! casts, JSON paths and subqueries.

use std::borrow::Cow;
use std::sync::Arc;

use super::query::Select;
use crate::value::Value;

/// An unquoted SQL identifier (table, column, alias, index name).
///
/// It is always quoted by the renderer, with the dialect's quote character doubled inside, so
/// any text is safe here.
///
/// ```
/// use sequelize::sql::Ident;
/// let id: Ident = "first_name".into();
/// assert_eq!(id.as_str(), "first_name");
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Ident {
    name: Name,
    /// The schema a table name is in (`schema.table`); `None` for the connection's own.
    schema: Option<Name>,
}

/// The text of a name, cheap to clone: statements are built from the model's names on every
/// query, so a clone shares the text instead of copying it.
#[derive(Clone)]
enum Name {
    Static(&'static str),
    Shared(Arc<str>),
}

impl Name {
    fn as_str(&self) -> &str {
        match self {
            Name::Static(s) => s,
            Name::Shared(s) => s,
        }
    }
}

impl From<Cow<'static, str>> for Name {
    fn from(text: Cow<'static, str>) -> Self {
        match text {
            Cow::Borrowed(s) => Name::Static(s),
            Cow::Owned(s) => Name::Shared(s.into()),
        }
    }
}

impl PartialEq for Name {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Name {}

impl std::hash::Hash for Name {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl std::fmt::Debug for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_str().fmt(f)
    }
}

impl Ident {
    /// A name.
    pub fn new(name: impl Into<Cow<'static, str>>) -> Self {
        Ident {
            name: name.into().into(),
            schema: None,
        }
    }

    /// The name, unquoted (without its schema).
    pub fn as_str(&self) -> &str {
        self.name.as_str()
    }

    /// The same name in a schema (a table of Sequelize's `schema` option):
    /// `"schema"."table"` where the database has schemas, the one name `"schema.table"` where
    /// it does not (SQLite), as Sequelize writes it.
    ///
    /// ```
    /// use sequelize::sql::Ident;
    /// let table = Ident::from("users").in_schema(Some("analytics".to_owned()));
    /// assert_eq!((table.as_str(), table.schema()), ("users", Some("analytics")));
    /// ```
    pub fn in_schema(mut self, schema: Option<String>) -> Self {
        self.schema = schema.map(|s| Name::Shared(s.into()));
        self
    }

    /// The schema, if the name is in one.
    pub fn schema(&self) -> Option<&str> {
        self.schema.as_ref().map(Name::as_str)
    }
}

/// `Ident("users")`, or `Ident("analytics"."users")` in a schema.
impl std::fmt::Debug for Ident {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.schema {
            None => write!(f, "Ident({:?})", self.name),
            Some(schema) => write!(f, "Ident({schema:?}.{:?})", self.name),
        }
    }
}

impl From<&'static str> for Ident {
    fn from(s: &'static str) -> Self {
        Ident::new(s)
    }
}

impl From<String> for Ident {
    fn from(s: String) -> Self {
        Ident::new(s)
    }
}

impl From<&String> for Ident {
    fn from(s: &String) -> Self {
        Ident::new(s.clone())
    }
}

/// A comparison operator. The set is closed: operators never come from strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    /// `=`
    Eq,
    /// `<>` (`!=`)
    Ne,
    /// `>`
    Gt,
    /// `>=`
    Gte,
    /// `<`
    Lt,
    /// `<=`
    Lte,
    /// `LIKE`
    Like,
    /// `NOT LIKE`
    NotLike,
    /// `+` (`SET x = x + ?`, Sequelize's `increment`)
    Add,
    /// `-`
    Sub,
}

impl BinaryOp {
    pub(crate) fn sql(self) -> &'static str {
        match self {
            BinaryOp::Eq => " = ",
            BinaryOp::Ne => " <> ",
            BinaryOp::Gt => " > ",
            BinaryOp::Gte => " >= ",
            BinaryOp::Lt => " < ",
            BinaryOp::Lte => " <= ",
            BinaryOp::Like => " LIKE ",
            BinaryOp::NotLike => " NOT LIKE ",
            BinaryOp::Add => " + ",
            BinaryOp::Sub => " - ",
        }
    }
}

/// An SQL expression.
///
/// ```
/// use sequelize::sql::Expr;
/// let e = Expr::column("age").gte(18).and(Expr::column("name").is_null().not());
/// assert!(matches!(e, Expr::And(_)));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A column, optionally qualified by a table or alias.
    Column {
        /// The qualifying table or alias.
        table: Option<Ident>,
        /// The column name.
        name: Ident,
    },
    /// A value, sent as a bound parameter.
    Value(Value),
    /// `left op right`.
    Binary {
        /// The operator.
        op: BinaryOp,
        /// Left operand.
        left: Box<Expr>,
        /// Right operand.
        right: Box<Expr>,
    },
    /// All of these hold; an empty list is `TRUE`.
    And(Vec<Expr>),
    /// Any of these holds; an empty list is `FALSE`.
    Or(Vec<Expr>),
    /// `NOT (…)`.
    Not(Box<Expr>),
    /// `expr IS NULL`, or `IS NOT NULL` when negated.
    IsNull {
        /// The tested expression.
        expr: Box<Expr>,
        /// `IS NOT NULL` when true.
        negated: bool,
    },
    /// `expr IS TRUE` / `IS FALSE`, or `IS NOT …` when negated (Sequelize's `Op.is` and
    /// `Op.not` with a boolean): unlike `= TRUE`, never `NULL`: a `NULL` is not `TRUE`.
    IsBool {
        /// The tested expression.
        expr: Box<Expr>,
        /// `TRUE` or `FALSE`.
        value: bool,
        /// `IS NOT` when true.
        negated: bool,
    },
    /// `expr IN (…)`, or `NOT IN` when negated. An empty list is `FALSE` (`IN`) or `TRUE`
    /// (`NOT IN`), never a syntax error.
    InList {
        /// The tested expression.
        expr: Box<Expr>,
        /// The candidates.
        list: Vec<Expr>,
        /// `NOT IN` when true.
        negated: bool,
    },
    /// Developer-written SQL, inserted verbatim. Never build this from user input; the name
    /// of the constructor ([`Expr::literal_unchecked`]) is there to be found by grep.
    Literal(Cow<'static, str>),
    /// A function call, `COUNT(DISTINCT x)`; the function comes from a closed set.
    Function {
        /// Which function.
        function: Function,
        /// Its arguments; `COUNT` with none is `COUNT(*)`.
        args: Vec<Expr>,
        /// `DISTINCT` before the arguments (aggregates).
        distinct: bool,
    },
    /// `CAST(expr AS type)`, the type from a closed set.
    Cast {
        /// What is converted.
        expr: Box<Expr>,
        /// Into what.
        to: CastType,
    },
    /// A value inside a JSON document (`data.address.city`, Sequelize's nested `where` on a
    /// JSON attribute). The path is bound, never spliced into the SQL.
    JsonPath {
        /// The JSON column.
        expr: Box<Expr>,
        /// The keys and indexes to follow.
        path: Vec<JsonPathSegment>,
        /// What SQL type the value is read as.
        read: JsonRead,
    },
    /// Whether a JSON document contains another (Sequelize's `Op.contains` on JSON):
    /// every key and value of `candidate` is in `doc`, arrays by their elements.
    /// PostgreSQL's `@>` (on `jsonb`), MySQL's and MariaDB's `JSON_CONTAINS`; SQLite has
    /// no containment and refuses it.
    JsonContains {
        /// The document searched.
        doc: Box<Expr>,
        /// The document looked for.
        candidate: Box<Expr>,
    },
    /// An array operator (PostgreSQL's `@>`, `<@`, `&&`: Sequelize's `Op.contains`,
    /// `Op.contained`, `Op.overlap` on `ARRAY` columns). Databases without arrays refuse it.
    ArrayCompare {
        /// The array on the left.
        left: Box<Expr>,
        /// Which comparison.
        op: ArrayOperator,
        /// The array on the right.
        right: Box<Expr>,
    },
    /// `expr BETWEEN low AND high`, or `NOT BETWEEN` when negated (both ends included).
    Between {
        /// The tested expression.
        expr: Box<Expr>,
        /// The lower end.
        low: Box<Expr>,
        /// The upper end.
        high: Box<Expr>,
        /// `NOT BETWEEN` when true.
        negated: bool,
    },
    /// `expr LIKE pattern`, its variants: case-insensitive (`ILIKE` on PostgreSQL, both sides
    /// lowered elsewhere) and with `!` as the escape character, so `%`, `_` and `!` written
    /// as `!%`, `!_`, `!!` match themselves (Sequelize's `startsWith`, `endsWith`,
    /// `substring`).
    Like {
        /// The tested expression.
        expr: Box<Expr>,
        /// The pattern.
        pattern: Box<Expr>,
        /// `NOT LIKE` when true.
        negated: bool,
        /// Letters match whatever their case.
        case_insensitive: bool,
        /// `ESCAPE '!'`.
        escaped: bool,
    },
    /// `expr` matches the regular expression `pattern` (Sequelize's `Op.regexp` and its
    /// variants): `~` on PostgreSQL, `REGEXP` with an inline `(?i)`/`(?-i)` flag on MySQL,
    /// MariaDB and SQLite (where the crate registers the `regexp` function). The pattern's
    /// syntax is the database's: POSIX on PostgreSQL, ICU on MySQL, PCRE on MariaDB, Rust's
    /// `regex` on SQLite; a pattern in their common part means the same everywhere.
    Regexp {
        /// The tested expression.
        expr: Box<Expr>,
        /// The pattern.
        pattern: Box<Expr>,
        /// Does not match when true.
        negated: bool,
        /// Letters match whatever their case.
        case_insensitive: bool,
    },
    /// `EXISTS (SELECT …)`, or `NOT EXISTS` when negated.
    Exists {
        /// The subquery.
        select: Box<Select>,
        /// `NOT EXISTS` when true.
        negated: bool,
    },
    /// A window function over the rows: `DENSE_RANK() OVER (PARTITION BY … ORDER BY …)`.
    Window {
        /// Which function.
        function: WindowFunction,
        /// `PARTITION BY` terms: the rows are ranked within each group of equal values.
        partition_by: Vec<Expr>,
        /// `ORDER BY` terms inside the window.
        order: Vec<OrderBy>,
    },
    /// `expr IN (SELECT …)`, or `NOT IN` when negated.
    InSubquery {
        /// The tested expression.
        expr: Box<Expr>,
        /// The subquery, selecting one column.
        select: Box<Select>,
        /// `NOT IN` when true.
        negated: bool,
    },
}

/// Window functions the ORM can call ([`Expr::Window`]).
///
/// ```
/// use sequelize::sql::{Expr, WindowFunction};
/// let rank = Expr::Window { function: WindowFunction::DenseRank, partition_by: vec![Expr::column("post_id")], order: vec![] };
/// assert!(matches!(rank, Expr::Window { .. }));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WindowFunction {
    /// `ROW_NUMBER()`: 1, 2, 3, … within each partition.
    RowNumber,
    /// `DENSE_RANK()`: equal rows share a rank, with no gaps.
    DenseRank,
}

impl WindowFunction {
    /// The SQL spelling (the same on every supported database).
    pub fn sql(self) -> &'static str {
        match self {
            WindowFunction::RowNumber => "ROW_NUMBER()",
            WindowFunction::DenseRank => "DENSE_RANK()",
        }
    }
}

/// SQL functions the ORM can call. Closed set: a function name never comes from a string.
///
/// ```
/// use sequelize::sql::{Expr, Function};
/// let total = Expr::function(Function::Sum, [Expr::column("amount")]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    /// `COUNT(x)`, or `COUNT(*)` without arguments.
    Count,
    /// `SUM(x)`.
    Sum,
    /// `AVG(x)`.
    Avg,
    /// `MIN(x)`.
    Min,
    /// `MAX(x)`.
    Max,
    /// `LOWER(x)`.
    Lower,
    /// `UPPER(x)`.
    Upper,
    /// The length of a string in characters.
    CharLength,
    /// `COALESCE(a, b, …)`.
    Coalesce,
    /// `ABS(x)`.
    Abs,
    /// `RANDOM()` (`RAND()` on MySQL): a random number per row.
    Random,
}

/// Target types of `CAST`, named as Sequelize's `cast(…, 'type')` would; each dialect spells
/// them its own way.
///
/// ```
/// use sequelize::sql::{CastType, Expr};
/// let as_text = Expr::column("id").cast(CastType::Text);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CastType {
    /// Text.
    Text,
    /// A 32-bit integer.
    Integer,
    /// A 64-bit integer.
    BigInt,
    /// A double-precision float.
    Double,
    /// An exact decimal.
    Decimal,
    /// A boolean.
    Boolean,
    /// A calendar date.
    Date,
    /// A date and time.
    DateTime,
    /// A JSON document.
    Json,
}

/// What SQL type a value inside a JSON document is read as ([`Expr::JsonPath`]).
///
/// Sequelize casts a JSON value by the type of what it is compared with (a number compares
/// as a number, a boolean as a boolean); the model layer picks the reading the same way.
/// A JSON `null` reads as SQL `NULL` in every reading but [`JsonRead::Json`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonRead {
    /// The JSON fragment itself (`->`, `#>`, `JSON_EXTRACT`).
    Json,
    /// The value as text, strings unquoted (`->>`, `#>>`).
    Text,
    /// The value as an exact number (PostgreSQL `NUMERIC`, MySQL `DECIMAL`; SQLite reads
    /// JSON numbers as numbers already).
    Number,
    /// The value as a boolean (SQLite: 1 or 0).
    Boolean,
}

impl JsonRead {
    /// The reading that compares with `value` as Sequelize's casts do: numbers as numbers,
    /// booleans as booleans, anything else as text.
    ///
    /// ```
    /// use sequelize::{sql::JsonRead, Value};
    /// assert_eq!(JsonRead::for_value(&Value::Int(3)), JsonRead::Number);
    /// assert_eq!(JsonRead::for_value(&Value::from("a")), JsonRead::Text);
    /// ```
    pub fn for_value(value: &Value) -> JsonRead {
        match value {
            Value::Int(_) | Value::Float(_) | Value::Decimal(_) => JsonRead::Number,
            Value::Bool(_) => JsonRead::Boolean,
            _ => JsonRead::Text,
        }
    }
}

/// How [`Expr::ArrayCompare`] compares two arrays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArrayOperator {
    /// The left array holds every element of the right one (`@>`, `Op.contains`).
    Contains,
    /// Every element of the left array is in the right one (`<@`, `Op.contained`).
    ContainedBy,
    /// The arrays share an element (`&&`, `Op.overlap`).
    Overlaps,
}

impl ArrayOperator {
    pub(crate) fn sql(self) -> &'static str {
        match self {
            ArrayOperator::Contains => " @> ",
            ArrayOperator::ContainedBy => " <@ ",
            ArrayOperator::Overlaps => " && ",
        }
    }
}

/// One step of a JSON path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonPathSegment {
    /// An object key.
    Key(String),
    /// An array index.
    Index(u32),
}

impl Expr {
    /// An unqualified column.
    pub fn column(name: impl Into<Ident>) -> Expr {
        Expr::Column {
            table: None,
            name: name.into(),
        }
    }

    /// A column qualified by a table or alias.
    pub fn qualified(table: impl Into<Ident>, name: impl Into<Ident>) -> Expr {
        Expr::Column {
            table: Some(table.into()),
            name: name.into(),
        }
    }

    /// A bound value.
    pub fn value(v: impl Into<Value>) -> Expr {
        Expr::Value(v.into())
    }

    /// A function call.
    pub fn function(function: Function, args: impl IntoIterator<Item = Expr>) -> Expr {
        Expr::Function {
            function,
            args: args.into_iter().collect(),
            distinct: false,
        }
    }

    /// `CAST(self AS to)`.
    pub fn cast(self, to: CastType) -> Expr {
        Expr::Cast {
            expr: Box::new(self),
            to,
        }
    }

    /// The value at `path` inside this JSON expression, as text (`data->>'city'`).
    ///
    /// ```
    /// use sequelize::sql::{Expr, JsonPathSegment};
    /// let city = Expr::column("address").json_text([JsonPathSegment::Key("city".into())]);
    /// ```
    pub fn json_text(self, path: impl IntoIterator<Item = JsonPathSegment>) -> Expr {
        self.json_read(path, JsonRead::Text)
    }

    /// The value at `path` inside this JSON expression, read as `read`.
    ///
    /// ```
    /// use sequelize::sql::{Expr, JsonPathSegment, JsonRead};
    /// let zip = Expr::column("address").json_read([JsonPathSegment::Key("zip".into())], JsonRead::Number);
    /// ```
    pub fn json_read(
        self,
        path: impl IntoIterator<Item = JsonPathSegment>,
        read: JsonRead,
    ) -> Expr {
        Expr::JsonPath {
            expr: Box::new(self),
            path: path.into_iter().collect(),
            read,
        }
    }

    /// Whether this JSON document contains `candidate` ([`Expr::JsonContains`]).
    ///
    /// ```
    /// use sequelize::sql::Expr;
    /// let tagged = Expr::column("meta").json_contains(serde_json::json!({ "tags": ["rust"] }));
    /// ```
    pub fn json_contains(self, candidate: serde_json::Value) -> Expr {
        Expr::JsonContains {
            doc: Box::new(self),
            candidate: Box::new(Expr::Value(Value::Json(Box::new(candidate)))),
        }
    }

    /// `self op right` for arrays ([`Expr::ArrayCompare`]).
    ///
    /// ```
    /// use sequelize::sql::{ArrayOperator, Expr};
    /// let tagged = Expr::column("tags").array_compare(ArrayOperator::Overlaps, vec!["rust".to_string()]);
    /// ```
    pub fn array_compare(self, op: ArrayOperator, right: impl Into<Value>) -> Expr {
        Expr::ArrayCompare {
            left: Box::new(self),
            op,
            right: Box::new(Expr::Value(right.into())),
        }
    }

    /// `self BETWEEN low AND high`.
    pub fn between(self, low: impl Into<Value>, high: impl Into<Value>) -> Expr {
        Expr::Between {
            expr: Box::new(self),
            low: Box::new(Expr::value(low)),
            high: Box::new(Expr::value(high)),
            negated: false,
        }
    }

    /// `self NOT BETWEEN low AND high`.
    pub fn not_between(self, low: impl Into<Value>, high: impl Into<Value>) -> Expr {
        Expr::Between {
            expr: Box::new(self),
            low: Box::new(Expr::value(low)),
            high: Box::new(Expr::value(high)),
            negated: true,
        }
    }

    /// A `LIKE` of this expression: `pattern` as given, or (with `escaped`) with `!` as the
    /// escape character.
    pub fn like_with(
        self,
        pattern: impl Into<Value>,
        negated: bool,
        case_insensitive: bool,
        escaped: bool,
    ) -> Expr {
        Expr::Like {
            expr: Box::new(self),
            pattern: Box::new(Expr::value(pattern)),
            negated,
            case_insensitive,
            escaped,
        }
    }

    /// A regular-expression match of this expression; see [`Expr::Regexp`].
    ///
    /// ```
    /// use sequelize::{dialect::by_name, sql::{Expr, Select, TableRef}};
    /// let select = Select::new(TableRef::new("users"))
    ///     .filter(Expr::column("name").regexp("^a[0-9]+$", false, true));
    /// let sql = by_name("postgres").unwrap().render(&select.into()).unwrap().sql;
    /// assert_eq!(sql, r#"SELECT * FROM "users" WHERE "name" ~* $1"#);
    /// ```
    pub fn regexp(self, pattern: impl Into<Value>, negated: bool, case_insensitive: bool) -> Expr {
        Expr::Regexp {
            expr: Box::new(self),
            pattern: Box::new(Expr::value(pattern)),
            negated,
            case_insensitive,
        }
    }

    /// `EXISTS (select)`.
    pub fn exists(select: Select) -> Expr {
        Expr::Exists {
            select: Box::new(select),
            negated: false,
        }
    }

    /// `self IN (select)`.
    pub fn in_subquery(self, select: Select) -> Expr {
        Expr::InSubquery {
            expr: Box::new(self),
            select: Box::new(select),
            negated: false,
        }
    }

    /// `self op other`, comparing two expressions (columns of two tables in a join's `ON`).
    pub fn compare(self, op: BinaryOp, other: Expr) -> Expr {
        Expr::Binary {
            op,
            left: Box::new(self),
            right: Box::new(other),
        }
    }

    /// `self = other`, for two expressions.
    pub fn eq_expr(self, other: Expr) -> Expr {
        self.compare(BinaryOp::Eq, other)
    }

    /// The items of an `IN` list as values, when every one is a non-null value of one type
    /// (not an array): what a database that binds arrays sends as one parameter.
    ///
    /// ```
    /// use sequelize::sql::Expr;
    /// use sequelize::Value;
    /// let ints = [Expr::Value(Value::Int(1)), Expr::Value(Value::Int(2))];
    /// assert_eq!(Expr::one_typed_values(&ints), Some(vec![Value::Int(1), Value::Int(2)]));
    /// let mixed = [Expr::Value(Value::Int(1)), Expr::Value(Value::from("a"))];
    /// assert_eq!(Expr::one_typed_values(&mixed), None);
    /// ```
    pub fn one_typed_values(list: &[Expr]) -> Option<Vec<Value>> {
        let first = match list.first()? {
            Expr::Value(value) if !matches!(value, Value::Null | Value::Array(_)) => {
                std::mem::discriminant(value)
            }
            _ => return None,
        };
        list.iter()
            .map(|item| match item {
                Expr::Value(value) if std::mem::discriminant(value) == first => Some(value.clone()),
                _ => None,
            })
            .collect()
    }

    /// `existing AND condition`, or `condition` alone: how every `filter()` call adds a
    /// condition to the ones before it.
    ///
    /// ```
    /// use sequelize::sql::Expr;
    /// let one = Expr::conjoin(None, Expr::column("a").eq(1));
    /// let two = Expr::conjoin(Some(one), Expr::column("b").eq(2));
    /// assert!(matches!(two, Expr::And(items) if items.len() == 2));
    /// ```
    pub fn conjoin(existing: Option<Expr>, condition: Expr) -> Expr {
        match existing {
            Some(existing) => existing.and(condition),
            None => condition,
        }
    }

    /// Whether `test` holds for this expression or any expression inside it, depth first.
    /// A subquery ([`Expr::Exists`], [`Expr::InSubquery`]) is tested as one node: the
    /// walk does not enter its `SELECT`.
    ///
    /// ```
    /// use sequelize::sql::Expr;
    /// let filter = Expr::column("a").eq(1).and(Expr::literal_unchecked("b > 2"));
    /// assert!(filter.any(&mut |e| matches!(e, Expr::Literal(_))));
    /// assert!(!filter.any(&mut |e| matches!(e, Expr::Exists { .. })));
    /// ```
    pub fn any(&self, test: &mut impl FnMut(&Expr) -> bool) -> bool {
        test(self) || self.children().into_iter().any(|child| child.any(test))
    }

    /// The expressions directly inside this one (none inside a subquery's `SELECT`).
    fn children(&self) -> Vec<&Expr> {
        match self {
            Expr::Column { .. } | Expr::Value(_) | Expr::Literal(_) | Expr::Exists { .. } => {
                Vec::new()
            }
            Expr::And(items) | Expr::Or(items) | Expr::Function { args: items, .. } => {
                items.iter().collect()
            }
            Expr::Not(expr)
            | Expr::IsNull { expr, .. }
            | Expr::IsBool { expr, .. }
            | Expr::Cast { expr, .. }
            | Expr::JsonPath { expr, .. }
            | Expr::InSubquery { expr, .. } => vec![expr],
            Expr::InList { expr, list, .. } => std::iter::once(&**expr).chain(list).collect(),
            Expr::Binary { left, right, .. } | Expr::ArrayCompare { left, right, .. } => {
                vec![left, right]
            }
            Expr::JsonContains { doc, candidate } => vec![doc, candidate],
            Expr::Between {
                expr, low, high, ..
            } => vec![expr, low, high],
            Expr::Like { expr, pattern, .. } | Expr::Regexp { expr, pattern, .. } => {
                vec![expr, pattern]
            }
            Expr::Window {
                partition_by,
                order,
                ..
            } => (partition_by.iter())
                .chain(order.iter().map(|o| &o.expr))
                .collect(),
        }
    }

    /// Raw SQL written by the developer. Only `'static` text is accepted, so a string built
    /// at run time (from user input) cannot be passed by accident.
    ///
    /// ```
    /// let e = sequelize::sql::Expr::literal_unchecked("CURRENT_TIMESTAMP");
    /// ```
    pub fn literal_unchecked(sql: &'static str) -> Expr {
        Expr::Literal(Cow::Borrowed(sql))
    }

    fn binary(self, op: BinaryOp, right: impl Into<Value>) -> Expr {
        self.compare(op, Expr::Value(right.into()))
    }

    /// `self = v`
    pub fn eq(self, v: impl Into<Value>) -> Expr {
        self.binary(BinaryOp::Eq, v)
    }
    /// `self <> v`
    pub fn ne(self, v: impl Into<Value>) -> Expr {
        self.binary(BinaryOp::Ne, v)
    }
    /// `self > v`
    pub fn gt(self, v: impl Into<Value>) -> Expr {
        self.binary(BinaryOp::Gt, v)
    }
    /// `self >= v`
    pub fn gte(self, v: impl Into<Value>) -> Expr {
        self.binary(BinaryOp::Gte, v)
    }
    /// `self < v`
    pub fn lt(self, v: impl Into<Value>) -> Expr {
        self.binary(BinaryOp::Lt, v)
    }
    /// `self <= v`
    pub fn lte(self, v: impl Into<Value>) -> Expr {
        self.binary(BinaryOp::Lte, v)
    }
    /// `self LIKE pattern`
    pub fn like(self, pattern: impl Into<Value>) -> Expr {
        self.binary(BinaryOp::Like, pattern)
    }
    /// `self NOT LIKE pattern`
    pub fn not_like(self, pattern: impl Into<Value>) -> Expr {
        self.binary(BinaryOp::NotLike, pattern)
    }
    /// `self IN (values…)`
    pub fn is_in<V: Into<Value>>(self, values: impl IntoIterator<Item = V>) -> Expr {
        Expr::InList {
            expr: Box::new(self),
            list: values.into_iter().map(|v| Expr::Value(v.into())).collect(),
            negated: false,
        }
    }
    /// `self NOT IN (values…)`
    pub fn not_in<V: Into<Value>>(self, values: impl IntoIterator<Item = V>) -> Expr {
        match self.is_in(values) {
            Expr::InList { expr, list, .. } => Expr::InList {
                expr,
                list,
                negated: true,
            },
            _ => unreachable!("is_in builds an InList"),
        }
    }
    /// `self IS NULL`
    pub fn is_null(self) -> Expr {
        Expr::IsNull {
            expr: Box::new(self),
            negated: false,
        }
    }
    /// `self IS NOT NULL`
    pub fn is_not_null(self) -> Expr {
        Expr::IsNull {
            expr: Box::new(self),
            negated: true,
        }
    }
    /// `self IS TRUE|FALSE`, or `IS NOT …` when `negated`; see [`Expr::IsBool`].
    ///
    /// ```
    /// use sequelize::{dialect::by_name, sql::{Expr, Select, TableRef}};
    /// let select = Select::new(TableRef::new("users")).filter(Expr::column("verified").is_bool(true, true));
    /// let sql = by_name("mysql").unwrap().render(&select.into()).unwrap().sql;
    /// assert_eq!(sql, "SELECT * FROM `users` WHERE `verified` IS NOT TRUE");
    /// ```
    pub fn is_bool(self, value: bool, negated: bool) -> Expr {
        Expr::IsBool {
            expr: Box::new(self),
            value,
            negated,
        }
    }
    /// `self AND other` (flattens nested `AND`s).
    pub fn and(self, other: Expr) -> Expr {
        match self {
            Expr::And(mut items) => {
                items.push(other);
                Expr::And(items)
            }
            first => Expr::And(vec![first, other]),
        }
    }
    /// `self OR other` (flattens nested `OR`s).
    pub fn or(self, other: Expr) -> Expr {
        match self {
            Expr::Or(mut items) => {
                items.push(other);
                Expr::Or(items)
            }
            first => Expr::Or(vec![first, other]),
        }
    }
    /// `NOT self`
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Expr {
        Expr::Not(Box::new(self))
    }
    /// `self ASC` for `ORDER BY`.
    pub fn asc(self) -> OrderBy {
        OrderBy {
            expr: self,
            direction: Direction::Asc,
            nulls: None,
        }
    }
    /// `self DESC` for `ORDER BY`.
    pub fn desc(self) -> OrderBy {
        OrderBy {
            expr: self,
            direction: Direction::Desc,
            nulls: None,
        }
    }
    /// `RANDOM()` (`RAND()` on MySQL), to sort in random order (`order: sequelize.random()`).
    ///
    /// ```
    /// use sequelize::{dialect::by_name, sql::{Expr, Select, TableRef}};
    /// let select = Select { order: vec![Expr::random().asc()], ..Select::new(TableRef::new("quotes")) };
    /// let sql = by_name("mysql").unwrap().render(&select.into()).unwrap().sql;
    /// assert_eq!(sql, "SELECT * FROM `quotes` ORDER BY RAND() ASC");
    /// ```
    pub fn random() -> Expr {
        Expr::function(Function::Random, [])
    }
}

/// A sort direction. Closed set: directions never come from strings (CVE-2015-1369).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Ascending.
    Asc,
    /// Descending.
    Desc,
}

/// Where `NULL`s sort (`NULLS FIRST`, `NULLS LAST`): native on PostgreSQL and SQLite,
/// emulated on MySQL and MariaDB with an `expr IS NULL` term before the sorted one.
///
/// ```
/// use sequelize::sql::{Expr, Nulls};
/// assert_eq!(Expr::column("born").desc().nulls_last().nulls, Some(Nulls::Last));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nulls {
    /// `NULLS FIRST`.
    First,
    /// `NULLS LAST`.
    Last,
}

/// One `ORDER BY` term.
///
/// ```
/// use sequelize::{dialect::by_name, sql::{Expr, Select, TableRef}};
/// let select = Select {
///     order: vec![Expr::column("born").asc().nulls_last()],
///     ..Select::new(TableRef::new("people"))
/// };
/// let postgres = by_name("postgres").unwrap().render(&select.clone().into()).unwrap().sql;
/// assert_eq!(postgres, r#"SELECT * FROM "people" ORDER BY "born" ASC NULLS LAST"#);
/// let mysql = by_name("mysql").unwrap().render(&select.into()).unwrap().sql;
/// assert_eq!(mysql, "SELECT * FROM `people` ORDER BY `born` IS NULL ASC, `born` ASC");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct OrderBy {
    /// What is sorted on.
    pub expr: Expr,
    /// Which way.
    pub direction: Direction,
    /// Where `NULL`s go; the database's default when `None` (first in ascending order on
    /// MySQL and SQLite, last on PostgreSQL).
    pub nulls: Option<Nulls>,
}

impl OrderBy {
    /// `NULLS FIRST`.
    pub fn nulls_first(mut self) -> Self {
        self.nulls = Some(Nulls::First);
        self
    }

    /// `NULLS LAST`.
    pub fn nulls_last(mut self) -> Self {
        self.nulls = Some(Nulls::Last);
        self
    }
}
