package io.cdpaccess.config;

import java.nio.file.Path;
import java.time.ZoneId;
import java.util.List;

/**
 * Any JDBC database as a fact source ({@code type: sql}): a staff list in a CTMS, an HR leaver
 * feed, Epic Clarity. One query per lookup, its first row's columns the facts.
 *
 * @param url a JDBC URL; PostgreSQL's and MariaDB's (or MySQL's) drivers ship, others are loaded
 *     from {@code drivers}
 * @param user the database account ({@code ""}: the driver's default, or credentials in the URL)
 * @param password its password (from the environment)
 * @param poolSize connections kept open
 * @param zone how columns without a zone ({@code TIMESTAMP WITHOUT TIME ZONE}, {@code DATETIME},
 *     dates) are read
 * @param query the query, its named parameters resolved
 * @param columns the facts, each from a column of the result
 * @param drivers the directory whose {@code *.jar} files hold other databases' JDBC drivers
 */
public record SqlSettings(
        String url,
        String user,
        Secret password,
        int poolSize,
        ZoneId zone,
        SqlQuery query,
        List<FactField> columns,
        Path drivers)
        implements SourceSettings {

    public SqlSettings {
        columns = List.copyOf(columns);
    }

    @Override
    public String type() {
        return "sql";
    }
}
