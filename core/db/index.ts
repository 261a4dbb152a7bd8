/** The database layer's public surface: open, migrate, transactions, raw SQL and error checks. */
export { databaseOptionsOf, openDatabase, type Database, type OpenDatabaseOptions } from './open-database.ts'
export { DataDirLockedError } from './data-dir-lock.ts'
export { migrate, MigrationError, DEFAULT_MIGRATIONS_DIR } from './migrate.ts'
export { withTransaction, type Tx, type TransactionOptions } from './transaction.ts'
export { jsonParam, query } from './sql.ts'
export { withSqlTransaction, type SqlClient, type SqlTransactionOptions } from './sql-transaction.ts'
export { isProgramLimitExceeded, isUniqueViolation } from './errors.ts'
