package io.cdpaccess.config;

import static io.cdpaccess.config.SqlQuery.Parameter.INSTANCE;
import static io.cdpaccess.config.SqlQuery.Parameter.IRB_NUMBER;
import static io.cdpaccess.config.SqlQuery.Parameter.PROJECT_ID;
import static io.cdpaccess.config.SqlQuery.Parameter.USER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpaccess.config.SqlQuery.Dialect;
import org.junit.jupiter.api.Test;

/** Named parameters become JDBC positions, and only where SQL reads them as parameters. */
class SqlQueryTest {

    @Test
    void eachNamedParameterBecomesAPositionInOrderRepeatsIncluded() {
        SqlQuery q = SqlQuery.parse(
                "SELECT * FROM s WHERE u = :user AND (p = :project_id OR irb = :irb_number)"
                        + " AND site = :instance AND again = :user;",
                Dialect.POSTGRESQL);
        assertThat(q.jdbc()).isEqualTo("SELECT * FROM s WHERE u = ? AND (p = ? OR irb = ?) AND site = ? AND again = ?");
        assertThat(q.parameters()).containsExactly(USER, PROJECT_ID, IRB_NUMBER, INSTANCE, USER);
        assertThat(q.uses(INSTANCE)).isTrue();
    }

    @Test
    void literalsIdentifiersCommentsAndCastsAreLeftAlone() {
        String pg = "SELECT ':a', 'it''s :b', E'\\' :c', \"x:d\", $$ :e $$, $t$ :f $t$, :user::text, x::int"
                + " -- :g\n /* :h /* :i */ :j */ FROM t WHERE u = :user";
        SqlQuery q = SqlQuery.parse(pg, Dialect.POSTGRESQL);
        assertThat(q.parameters()).containsExactly(USER, USER);
        assertThat(q.jdbc()).contains("?::text, x::int").endsWith("WHERE u = ?");

        String my = "SELECT 'a\\' :b', \"c\\\" :d\", `e:f`, @v := 1 # :g\n FROM t WHERE u = :user";
        assertThat(SqlQuery.parse(my, Dialect.MYSQL).parameters()).containsExactly(USER);
    }

    @Test
    void postgresqlsQuestionMarkOperatorIsWrittenTwice() {
        assertThat(SqlQuery.parse("SELECT 1 FROM t WHERE tags ?? 'x' AND u = :user", Dialect.POSTGRESQL)
                        .jdbc())
                .isEqualTo("SELECT 1 FROM t WHERE tags ?? 'x' AND u = ?");
        assertThatThrownBy(() -> SqlQuery.parse("SELECT 1 FROM t WHERE u = :user\n AND ? = 1", Dialect.OTHER))
                .hasMessageStartingWith("a ? at line 2 of the query");
    }

    @Test
    void theDialectFollowsTheUrl() {
        assertThat(Dialect.of("jdbc:postgresql://db/x")).isEqualTo(Dialect.POSTGRESQL);
        assertThat(Dialect.of("jdbc:mysql://db/x")).isEqualTo(Dialect.MYSQL);
        assertThat(Dialect.of("jdbc:mariadb://db/x")).isEqualTo(Dialect.MYSQL);
        assertThat(Dialect.of("jdbc:sqlserver://db")).isEqualTo(Dialect.OTHER);
    }
}
