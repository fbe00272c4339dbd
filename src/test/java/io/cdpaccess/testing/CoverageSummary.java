package io.cdpaccess.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Prints the line and branch coverage JaCoCo measured, on one line, from its XML report (run by
 * {@code ./mvnw verify} through exec-maven-plugin after {@code jacoco:report}):
 *
 * <pre>coverage: lines 90.6% (3304/3647), branches 82.6% (1426/1726)</pre>
 *
 * <p>The figures are the report's own totals, the ones {@code jacoco:check} judges (summing the
 * per-class rows of the CSV report counts a line shared by two classes of one file twice).
 * Without a report (tests skipped) it says so and succeeds.
 */
public final class CoverageSummary {
    private CoverageSummary() {}

    public static void main(String[] args) throws Exception {
        Path xml = Path.of(args.length > 0 ? args[0] : "target/site/jacoco/jacoco.xml");
        if (!Files.isRegularFile(xml)) {
            System.out.println("coverage: no JaCoCo report at " + xml + " (tests skipped?)");
            return;
        }
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        // The report names JaCoCo's DTD (report.dtd, not shipped next to it): read nothing external.
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        Element report = factory.newDocumentBuilder().parse(xml.toFile()).getDocumentElement();
        System.out.println("coverage: lines " + counter(report, "LINE") + ", branches " + counter(report, "BRANCH"));
    }

    /** The report-level counter: a direct child of {@code <report>}, after its packages. */
    private static String counter(Element report, String type) {
        for (Node n = report.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e
                    && e.getTagName().equals("counter")
                    && e.getAttribute("type").equals(type)) {
                long missed = Long.parseLong(e.getAttribute("missed"));
                long covered = Long.parseLong(e.getAttribute("covered"));
                return String.format(
                        Locale.ROOT, "%.1f%% (%d/%d)", 100.0 * covered / (missed + covered), covered, missed + covered);
            }
        }
        return "n/a (0/0)"; // JaCoCo omits a counter with nothing to count
    }
}
