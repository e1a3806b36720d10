//! `GetSqlInfo` and `GetXdbcTypeInfo`: what the server tells JDBC, ODBC and BI tools about its
//! SQL.
//!
//! Every standard key is answered, with the value types of the arrow-java reference builder
//! that the JDBC and ODBC drivers were written against (they read each union child without
//! checking): strings, booleans, `int32` bitmasks, and `int64` for the `SQL_MAX_*` limits and
//! the case and null-ordering keys (503, 505, 507, 562).

use std::collections::BTreeMap;

use arrow_flight::sql::metadata::{
    SqlInfoData, SqlInfoDataBuilder, XdbcTypeInfo, XdbcTypeInfoData, XdbcTypeInfoDataBuilder,
};
use arrow_flight::sql::{
    Nullable, Searchable, SqlInfo, SqlNullOrdering, SqlSupportedCaseSensitivity,
    SqlSupportedTransaction, XdbcDataType, XdbcDatetimeSubcode,
};
use datafusion::execution::session_state::SessionState;
use datafusion::sql::sqlparser::keywords::ALL_KEYWORDS;

/// The server's name in `FLIGHT_SQL_SERVER_NAME`.
pub(crate) const SERVER_NAME: &str = "tarn";

/// Builds the SqlInfo answer from the functions a session knows.
///
/// # Errors
/// Only if the arrow-flight builder rejects a value (a bug).
pub(crate) fn sql_info(
    state: &SessionState,
) -> Result<SqlInfoData, arrow_flight::error::FlightError> {
    let mut b = SqlInfoDataBuilder::new();
    // Server (0–11, 100–101).
    b.append(SqlInfo::FlightSqlServerName, SERVER_NAME);
    b.append(SqlInfo::FlightSqlServerVersion, env!("CARGO_PKG_VERSION"));
    b.append(SqlInfo::FlightSqlServerArrowVersion, "1.3");
    b.append(SqlInfo::FlightSqlServerReadOnly, true);
    b.append(SqlInfo::FlightSqlServerSql, true);
    b.append(SqlInfo::FlightSqlServerSubstrait, false);
    b.append(SqlInfo::FlightSqlServerSubstraitMinVersion, "");
    b.append(SqlInfo::FlightSqlServerSubstraitMaxVersion, "");
    b.append(
        SqlInfo::FlightSqlServerTransaction,
        SqlSupportedTransaction::None as i32,
    );
    b.append(SqlInfo::FlightSqlServerCancel, true);
    b.append(SqlInfo::FlightSqlServerBulkIngestion, false);
    b.append(SqlInfo::FlightSqlServerIngestTransactionsSupported, false);
    b.append(SqlInfo::FlightSqlServerStatementTimeout, 0i32);
    b.append(SqlInfo::FlightSqlServerTransactionTimeout, 0i32);

    // SQL syntax (500–576).
    b.append(SqlInfo::SqlDdlCatalog, false);
    b.append(SqlInfo::SqlDdlSchema, false);
    b.append(SqlInfo::SqlDdlTable, false);
    b.append(
        SqlInfo::SqlIdentifierCase,
        SqlSupportedCaseSensitivity::SqlCaseSensitivityLowercase as i64,
    );
    b.append(SqlInfo::SqlIdentifierQuoteChar, "\"");
    // Quoted identifiers are case-sensitive; the enum has no such value, and 0 reads as
    // "sensitive" in the ODBC driver.
    b.append(
        SqlInfo::SqlQuotedIdentifierCase,
        SqlSupportedCaseSensitivity::SqlCaseSensitivityUnknown as i64,
    );
    b.append(SqlInfo::SqlAllTablesAreSelectable, true);
    b.append(
        SqlInfo::SqlNullOrdering,
        SqlNullOrdering::SqlNullsSortedHigh as i64,
    );
    let keywords: Vec<String> = ALL_KEYWORDS.iter().map(|k| k.to_string()).collect();
    b.append(SqlInfo::SqlKeywords, keywords);
    let (numeric, string, system, datetime) = function_lists(state);
    b.append(SqlInfo::SqlNumericFunctions, numeric);
    b.append(SqlInfo::SqlStringFunctions, string);
    b.append(SqlInfo::SqlSystemFunctions, system);
    b.append(SqlInfo::SqlDatetimeFunctions, datetime);
    b.append(SqlInfo::SqlSearchStringEscape, "\\");
    b.append(SqlInfo::SqlExtraNameCharacters, "");
    b.append(SqlInfo::SqlSupportsColumnAliasing, true);
    b.append(SqlInfo::SqlNullPlusNullIsNull, true);
    b.append(SqlInfo::SqlSupportsConvert, supports_convert());
    b.append(SqlInfo::SqlSupportsTableCorrelationNames, true);
    b.append(SqlInfo::SqlSupportsDifferentTableCorrelationNames, false);
    b.append(SqlInfo::SqlSupportsExpressionsInOrderBy, true);
    b.append(SqlInfo::SqlSupportsOrderByUnrelated, true);
    // Bitmasks: GROUP BY unrelated (bit 1) and beyond-select (bit 0 is "unrelated" in the enum).
    b.append(SqlInfo::SqlSupportedGroupBy, 0b11i32);
    b.append(SqlInfo::SqlSupportsLikeEscapeClause, true);
    b.append(SqlInfo::SqlSupportsNonNullableColumns, true);
    // Minimum and core grammar.
    b.append(SqlInfo::SqlSupportedGrammar, 0b011i32);
    // ANSI-92 entry and intermediate.
    b.append(SqlInfo::SqlAnsi92SupportedLevel, 0b011i32);
    b.append(SqlInfo::SqlSupportsIntegrityEnhancementFacility, false);
    // Full outer joins (bit 2) include the limited and left forms.
    b.append(SqlInfo::SqlOuterJoinsSupportLevel, 0b111i32);
    b.append(SqlInfo::SqlSchemaTerm, "schema");
    b.append(SqlInfo::SqlProcedureTerm, "procedure");
    b.append(SqlInfo::SqlCatalogTerm, "catalog");
    b.append(SqlInfo::SqlCatalogAtStart, true);
    b.append(SqlInfo::SqlSchemasSupportedActions, 0b111i32);
    b.append(SqlInfo::SqlCatalogsSupportedActions, 0b111i32);
    b.append(SqlInfo::SqlSupportedPositionedCommands, 0i32);
    b.append(SqlInfo::SqlSelectForUpdateSupported, false);
    b.append(SqlInfo::SqlStoredProceduresSupported, false);
    // Subqueries in comparisons, EXISTS, IN and quantified comparisons.
    b.append(SqlInfo::SqlSupportedSubqueries, 0b1111i32);
    b.append(SqlInfo::SqlCorrelatedSubqueriesSupported, true);
    // UNION and UNION ALL.
    b.append(SqlInfo::SqlSupportedUnions, 0b11i32);
    for key in [
        SqlInfo::SqlMaxBinaryLiteralLength,
        SqlInfo::SqlMaxCharLiteralLength,
        SqlInfo::SqlMaxColumnNameLength,
        SqlInfo::SqlMaxColumnsInGroupBy,
        SqlInfo::SqlMaxColumnsInIndex,
        SqlInfo::SqlMaxColumnsInOrderBy,
        SqlInfo::SqlMaxColumnsInSelect,
        SqlInfo::SqlMaxColumnsInTable,
        SqlInfo::SqlMaxConnections,
        SqlInfo::SqlMaxCursorNameLength,
        SqlInfo::SqlMaxIndexLength,
        SqlInfo::SqlDbSchemaNameLength,
        SqlInfo::SqlMaxProcedureNameLength,
        SqlInfo::SqlMaxCatalogNameLength,
        SqlInfo::SqlMaxRowSize,
        SqlInfo::SqlMaxStatementLength,
        SqlInfo::SqlMaxStatements,
        SqlInfo::SqlMaxTableNameLength,
        SqlInfo::SqlMaxTablesInSelect,
        SqlInfo::SqlMaxUsernameLength,
    ] {
        // 0: no known limit.
        b.append(key, 0i64);
    }
    b.append(SqlInfo::SqlMaxRowSizeIncludesBlobs, true);
    // TRANSACTION_NONE: a read-only lake without transactions.
    b.append(SqlInfo::SqlDefaultTransactionIsolation, 0i64);
    b.append(SqlInfo::SqlTransactionsSupported, false);
    b.append(SqlInfo::SqlSupportedTransactionsIsolationLevels, 0i32);
    b.append(SqlInfo::SqlDataDefinitionCausesTransactionCommit, false);
    b.append(SqlInfo::SqlDataDefinitionsInTransactionsIgnored, true);
    // Forward-only result sets, read-only.
    b.append(SqlInfo::SqlSupportedResultSetTypes, 0b10i32);
    b.append(
        SqlInfo::SqlSupportedConcurrenciesForResultSetUnspecified,
        0i32,
    );
    b.append(
        SqlInfo::SqlSupportedConcurrenciesForResultSetForwardOnly,
        0b10i32,
    );
    b.append(
        SqlInfo::SqlSupportedConcurrenciesForResultSetScrollSensitive,
        0i32,
    );
    b.append(
        SqlInfo::SqlSupportedConcurrenciesForResultSetScrollInsensitive,
        0i32,
    );
    b.append(SqlInfo::SqlBatchUpdatesSupported, false);
    b.append(SqlInfo::SqlSavepointsSupported, false);
    b.append(SqlInfo::SqlNamedParametersSupported, false);
    b.append(SqlInfo::SqlLocatorsUpdateCopy, false);
    b.append(SqlInfo::SqlStoredFunctionsUsingCallSyntaxSupported, false);
    b.build()
}

/// Function names by the JDBC categories, from each function's documentation section.
fn function_lists(state: &SessionState) -> (Vec<String>, Vec<String>, Vec<String>, Vec<String>) {
    let (mut numeric, mut string, mut system, mut datetime) = (vec![], vec![], vec![], vec![]);
    for (name, udf) in state.scalar_functions() {
        let section = udf
            .documentation()
            .map(|d| d.doc_section.label)
            .unwrap_or_default();
        let list = if section.contains("Math") {
            &mut numeric
        } else if section.contains("String")
            || section.contains("Regular")
            || section.contains("Binary String")
        {
            &mut string
        } else if section.contains("Time") || section.contains("Date") {
            &mut datetime
        } else {
            &mut system
        };
        list.push(name.to_uppercase());
    }
    for l in [&mut numeric, &mut string, &mut system, &mut datetime] {
        l.sort();
        l.dedup();
    }
    (numeric, string, system, datetime)
}

/// `SQL_SUPPORTS_CONVERT`: CAST between the types tarn's SQL converts among.
fn supports_convert() -> BTreeMap<i32, Vec<i32>> {
    use arrow_flight::sql::SqlSupportsConvert as C;
    let numeric = [
        C::SqlConvertBigint,
        C::SqlConvertInteger,
        C::SqlConvertSmallint,
        C::SqlConvertTinyint,
        C::SqlConvertDecimal,
        C::SqlConvertFloat,
        C::SqlConvertReal,
        C::SqlConvertNumeric,
        C::SqlConvertBit,
    ];
    let text = [
        C::SqlConvertVarchar,
        C::SqlConvertChar,
        C::SqlConvertLongvarchar,
    ];
    let mut all: Vec<i32> = numeric
        .iter()
        .chain(text.iter())
        .map(|c| *c as i32)
        .collect();
    all.sort();
    let mut map = BTreeMap::new();
    for c in numeric.iter().chain(text.iter()) {
        map.insert(*c as i32, all.clone());
    }
    let mut temporal = vec![
        C::SqlConvertDate as i32,
        C::SqlConvertTimestamp as i32,
        C::SqlConvertVarchar as i32,
    ];
    temporal.sort();
    map.insert(C::SqlConvertDate as i32, temporal.clone());
    map.insert(C::SqlConvertTimestamp as i32, temporal);
    map.insert(
        C::SqlConvertBinary as i32,
        vec![C::SqlConvertBinary as i32, C::SqlConvertVarbinary as i32],
    );
    map.insert(
        C::SqlConvertVarbinary as i32,
        vec![C::SqlConvertBinary as i32, C::SqlConvertVarbinary as i32],
    );
    map
}

/// One `GetXdbcTypeInfo` row per type tarn sends, ordered by data type then name.
///
/// # Errors
/// Only if the builder rejects a row (a bug).
pub(crate) fn xdbc_type_info() -> Result<XdbcTypeInfoData, arrow_flight::error::FlightError> {
    let mut b = XdbcTypeInfoDataBuilder::new();
    let row = |name: &str, t: XdbcDataType, size: Option<i32>, local: &str| XdbcTypeInfo {
        type_name: name.to_string(),
        data_type: t,
        column_size: size,
        literal_prefix: None,
        literal_suffix: None,
        create_params: None,
        nullable: Nullable::NullabilityNullable,
        case_sensitive: false,
        searchable: Searchable::Full,
        unsigned_attribute: Some(false),
        fixed_prec_scale: false,
        auto_increment: Some(false),
        local_type_name: Some(local.to_string()),
        minimum_scale: None,
        maximum_scale: None,
        sql_data_type: t,
        datetime_subcode: None,
        num_prec_radix: None,
        interval_precision: None,
    };
    let quoted = |mut r: XdbcTypeInfo, prefix: &str| {
        r.literal_prefix = Some(prefix.to_string());
        r.literal_suffix = Some("'".to_string());
        r
    };
    let numeric = |mut r: XdbcTypeInfo| {
        r.num_prec_radix = Some(10);
        r
    };
    let mut varchar = quoted(
        row("VARCHAR", XdbcDataType::XdbcVarchar, Some(i32::MAX), "Utf8"),
        "'",
    );
    varchar.case_sensitive = true;
    let mut decimal = numeric(row(
        "DECIMAL",
        XdbcDataType::XdbcDecimal,
        Some(38),
        "Decimal128",
    ));
    decimal.create_params = Some(vec!["precision".into(), "scale".into()]);
    decimal.fixed_prec_scale = true;
    decimal.minimum_scale = Some(0);
    decimal.maximum_scale = Some(38);
    let mut date = quoted(
        row("DATE", XdbcDataType::XdbcDate, Some(10), "Date32"),
        "DATE '",
    );
    date.datetime_subcode = Some(XdbcDatetimeSubcode::XdbcSubcodeYear);
    date.sql_data_type = XdbcDataType::XdbcDatetime;
    let mut ts = quoted(
        row(
            "TIMESTAMP",
            XdbcDataType::XdbcTimestamp,
            Some(26),
            "Timestamp(Microsecond, None)",
        ),
        "TIMESTAMP '",
    );
    ts.datetime_subcode = Some(XdbcDatetimeSubcode::XdbcSubcodeTimestamp);
    ts.sql_data_type = XdbcDataType::XdbcDatetime;
    let mut time = quoted(
        row(
            "TIME",
            XdbcDataType::XdbcTime,
            Some(15),
            "Time64(Microsecond)",
        ),
        "TIME '",
    );
    time.datetime_subcode = Some(XdbcDatetimeSubcode::XdbcSubcodeTime);
    time.sql_data_type = XdbcDataType::XdbcDatetime;
    for r in [
        numeric(row("TINYINT", XdbcDataType::XdbcTinyint, Some(3), "Int8")),
        numeric(row("BIGINT", XdbcDataType::XdbcBigint, Some(19), "Int64")),
        row(
            "VARBINARY",
            XdbcDataType::XdbcVarbinary,
            Some(i32::MAX),
            "Binary",
        ),
        decimal,
        numeric(row("INTEGER", XdbcDataType::XdbcInteger, Some(10), "Int32")),
        numeric(row(
            "SMALLINT",
            XdbcDataType::XdbcSmallint,
            Some(5),
            "Int16",
        )),
        numeric(row("REAL", XdbcDataType::XdbcFloat, Some(24), "Float32")),
        numeric(row("DOUBLE", XdbcDataType::XdbcDouble, Some(53), "Float64")),
        varchar,
        row("BOOLEAN", XdbcDataType::XdbcBit, Some(1), "Boolean"),
        date,
        time,
        ts,
    ] {
        b.append(r);
    }
    b.build()
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Array, AsArray, UnionArray};
    use arrow::datatypes::UInt32Type;

    /// The union child each key must use, as the JDBC and ODBC drivers read it.
    fn expected_child(key: u32) -> i8 {
        match key {
            0 | 1 | 2 | 6 | 7 | 504 | 513 | 514 | 529..=531 => 0,
            503 | 505 | 507 | 541..=555 | 557..=562 => 2,
            8 | 100 | 101 | 522 | 525 | 526 | 528 | 533..=535 | 538 | 540 | 564 | 567..=571 => 3,
            508..=512 => 4,
            517 => 5,
            _ => 1,
        }
    }

    #[test]
    fn every_key_with_the_reference_typing() {
        let state = datafusion::execution::session_state::SessionStateBuilder::new()
            .with_default_features()
            .build();
        let data = sql_info(&state).unwrap();
        let batch = data.record_batch(std::iter::empty::<u32>()).unwrap();
        let names = batch.column(0).as_primitive::<UInt32Type>();
        let values = batch
            .column(1)
            .as_any()
            .downcast_ref::<UnionArray>()
            .unwrap();
        let keys: Vec<u32> = names.values().to_vec();
        let expected: Vec<u32> = (0..=11).chain(100..=101).chain(500..=576).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(sorted, expected, "every standard key, once");
        for (i, key) in keys.iter().enumerate() {
            assert_eq!(values.type_id(i), expected_child(*key), "key {key}");
        }
        assert!(values.len() == keys.len());
    }

    #[test]
    fn xdbc_rows_are_sorted_by_type() {
        let data = xdbc_type_info().unwrap();
        let batch = data.record_batch(None).unwrap();
        let types = batch
            .column(1)
            .as_primitive::<arrow::datatypes::Int32Type>();
        let v: Vec<i32> = types.values().to_vec();
        let mut sorted = v.clone();
        sorted.sort();
        assert_eq!(v, sorted);
        assert_eq!(batch.num_columns(), 19);
    }
}
