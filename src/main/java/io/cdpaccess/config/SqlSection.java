package io.cdpaccess.config;

import java.nio.file.Path;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;

/** The keys of a {@code type: sql} source: any JDBC database, read with one query. */
final class SqlSection implements SourceKindSection {

    private static final Set<String> KEYS =
            Set.of("url", "user", "password", "pool_size", "zone", "query", "columns", "drivers");

    private static final Pattern JDBC_URL = Pattern.compile("jdbc:[a-zA-Z0-9]+:.+");

    private final NodeReader in;
    private final Path baseDir;
    private final ZoneId serviceZone;

    SqlSection(NodeReader in, Path baseDir, ZoneId serviceZone) {
        this.in = in;
        this.baseDir = baseDir;
        this.serviceZone = serviceZone;
    }

    @Override
    public Set<String> keys() {
        return KEYS;
    }

    @Override
    public SqlSettings read(Map<String, Node> m, Node item, String path) {
        String url = in.required(m, item, path, "url", SqlSection::jdbcUrl);
        String user = in.value(m.get("user"), path + ".user", Function.identity(), "");
        Secret password = in.value(m.get("password"), path + ".password", Secret::of, Secret.none());
        int pool = in.value(m.get("pool_size"), path + ".pool_size", s -> ConfigLoader.intIn(s, 1, 100), 4);
        ZoneId zone = in.value(m.get("zone"), path + ".zone", ConfigLoader::zone, serviceZone);
        Path drivers = in.value(
                m.get("drivers"),
                path + ".drivers",
                s -> baseDir.resolve(s.strip()).normalize(),
                baseDir.resolve("drivers").normalize());
        SqlQuery.Dialect dialect = SqlQuery.Dialect.of(url == null ? "" : url);
        SqlQuery query = in.required(m, item, path, "query", s -> SqlQuery.parse(s, dialect));
        if (query != null
                && query.uses(SqlQuery.Parameter.IRB_NUMBER)
                && !SourceKindSection.keysOf(item).contains("irb_number")) {
            in.problem(
                    m.get("query"),
                    path + ".query",
                    ":irb_number needs the source's irb_number setting, which says where the project's IRB"
                            + " number comes from (irb_number: redcap.project_irb_number)");
        }
        List<FactField> columns =
                SourceKindSection.factFields(in, m.get("columns"), path + ".columns", "column", Function.identity());
        if (url == null || query == null) {
            return null;
        }
        return new SqlSettings(url, user, password, pool, zone, query, columns, drivers);
    }

    private static String jdbcUrl(String text) {
        String u = text.strip();
        if (!JDBC_URL.matcher(u).matches()) {
            throw new IllegalArgumentException("expected a JDBC URL such as jdbc:postgresql://host:5432/ctms or"
                    + " jdbc:mariadb://host:3306/hr (another database's driver goes in the drivers directory)");
        }
        return u;
    }
}
