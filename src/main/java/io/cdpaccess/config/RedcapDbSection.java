package io.cdpaccess.config;

import java.time.ZoneId;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.yaml.snakeyaml.nodes.Node;

/** The keys of a {@code type: redcapdb} source: REDCap's own MySQL/MariaDB database, read-only. */
final class RedcapDbSection implements SourceKindSection {

    private static final Set<String> KEYS = Set.of("url", "user", "password", "pool_size", "zone", "ehr_id");

    private final NodeReader in;
    private final ZoneId serviceZone;

    RedcapDbSection(NodeReader in, ZoneId serviceZone) {
        this.in = in;
        this.serviceZone = serviceZone;
    }

    @Override
    public Set<String> keys() {
        return KEYS;
    }

    @Override
    public RedcapDbSettings read(Map<String, Node> m, Node item, String path) {
        String url = in.required(m, item, path, "url", RedcapDbSection::redcapDbUrl);
        String user = in.required(m, item, path, "user", Function.identity());
        Secret password = in.value(m.get("password"), path + ".password", Secret::of, Secret.none());
        int pool = in.value(m.get("pool_size"), path + ".pool_size", s -> ConfigLoader.intIn(s, 1, 100), 4);
        ZoneId zone = in.value(m.get("zone"), path + ".zone", ConfigLoader::zone, serviceZone);
        Optional<Long> ehrId = Optional.ofNullable(in.value(
                m.get("ehr_id"), path + ".ehr_id", s -> (long) ConfigLoader.intIn(s, 0, Integer.MAX_VALUE), null));
        if (url == null || user == null) {
            return null;
        }
        return new RedcapDbSettings(url, user, password, pool, zone, ehrId);
    }

    private static String redcapDbUrl(String text) {
        String u = text.strip();
        if (!u.startsWith("jdbc:mariadb://") && !u.startsWith("jdbc:mysql://")) {
            throw new IllegalArgumentException("expected jdbc:mariadb://host:3306/redcap (REDCap's MySQL or MariaDB)");
        }
        // The queries name REDCap's tables without a database: the URL must choose it.
        String afterHosts = u.substring(u.indexOf("//") + 2).split("[?;]", 2)[0];
        int slash = afterHosts.indexOf('/');
        if (slash < 0 || slash == afterHosts.length() - 1) {
            throw new IllegalArgumentException(
                    "name REDCap's database after the host, as in jdbc:mariadb://host:3306/redcap");
        }
        return u;
    }
}
