package io.cdpaccess.doctor;

import io.cdpaccess.testing.Cli;
import io.cdpaccess.testing.PhpScript;

/** {@code php tools/cdp-access-doctor.php}, the same check for REDCap hosts that have PHP but no Java. */
class PhpDoctorTest extends DoctorContract {

    @Override
    Cli.Result doctor(String... args) throws Exception {
        return PhpScript.run("cdp-access-doctor.php", args);
    }
}
