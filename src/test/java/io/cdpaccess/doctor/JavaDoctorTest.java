package io.cdpaccess.doctor;

import io.cdpaccess.testing.Cli;
import java.time.Clock;

/** {@code cdp-access doctor} through the command line's entry point, in this JVM. */
class JavaDoctorTest extends DoctorContract {

    @Override
    Cli.Result doctor(String... args) {
        String[] withCommand = new String[args.length + 1];
        withCommand[0] = "doctor";
        System.arraycopy(args, 0, withCommand, 1, args.length);
        return new Cli(Clock.systemUTC()).run(withCommand);
    }
}
