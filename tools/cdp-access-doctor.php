<?php
/*
 * cdp-access-doctor.php URL [--redcap-url R --user U --project-id P]
 *
 * Calls a REDCap User Access Web Service URL exactly as REDCap's http_post() does (PHP cURL,
 * the same options), because REDCap's CDP settings page never calls it and nothing checks it on
 * save: a wrong URL or secret otherwise shows up only as researchers being denied. Run it on the
 * REDCap host, with the URL exactly as pasted into REDCap. The same check as
 * `cdp-access doctor`, for hosts that have PHP (REDCap's always do) but no Java.
 *
 * Sends the DDP Test button's empty POST (10 s timeout), then the sample request if given, and
 * prints one line per finding. Exit 0 when REDCap's calls would work, 1 when not, 2 on bad usage.
 * No dependency but PHP's cURL extension; works against any User Access service (the
 * X-Decision-Id / X-Decision-Reason headers of cdp-access sharpen the findings when present).
 * Never prints the secret.
 */

const TEST = "Test button's empty POST";
const TEST_TIMEOUT = 10;       // the DDP Test button's
const SAMPLE_TIMEOUT = 30;     // REDCap has none; a doctor has to end
const MAX_REDIRECTS = 10;
const SAFE = "make a URL-safe secret with: openssl rand -base64 32 | tr '+/' '-_' | tr -d '=' (or: openssl rand -hex 32)";

function usage_error($message) {
    fwrite(STDERR, "cdp-access-doctor: $message\n");
    fwrite(STDERR, "usage: php cdp-access-doctor.php URL [--redcap-url R --user U --project-id P]\n");
    exit(2);
}

function mask($url) {
    // Up to the last '@' before any fragment, not just the authority: a password holding '/' would show.
    $s = preg_replace('~^(\s*https?://[^/?#@:]*:)[^#]*@~i', '$1***@', $url);
    return preg_replace('~([?&](?:secret|token|key|password|pass|pwd|api_key)=)[^&#]*~i', '$1***', $s);
}

function is_hex_char($c) {
    return $c !== '' && strpos('0123456789abcdefABCDEF', $c) !== false;
}

function has_bad_percent($s) {
    $n = strlen($s);
    for ($i = 0; $i < $n; $i++) {
        if ($s[$i] === '%' && ($i + 2 >= $n || !is_hex_char($s[$i + 1]) || !is_hex_char($s[$i + 2]))) {
            return true;
        }
    }
    return false;
}

function first_of($s, $chars) {
    $first = strlen($s);
    foreach (str_split($chars) as $c) {
        $at = strpos($s, $c);
        if ($at !== false && $at < $first) {
            $first = $at;
        }
    }
    return $first;
}

/** What the URL does to the secret, from the text alone. */
function url_secret_check($raw, &$findings) {
    $fragment = strpos($raw, '#');
    $sent = $fragment === false ? $raw : substr($raw, 0, $fragment);
    if ($fragment !== false) {
        $q = strpos($raw, '?');
        $what = ($q === false || $fragment < $q) ? 'the rest of the URL' : 'the secret';
        add($findings, 'problem', "the URL contains '#': cURL sends nothing after it, so $what arrives cut short;"
            . " write '#' as %23, or " . SAFE);
    }
    if (strpos($sent, ' ') !== false) {
        add($findings, 'problem', "the URL contains a space: cURL refuses the URL or the secret arrives changed;"
            . " write it as %20, or " . SAFE);
    }
    if (preg_match('/[^\x20-\x7e]/', $sent)) {
        add($findings, 'problem', "the URL contains non-ASCII or control characters: how they arrive depends on"
            . " encodings on both sides; " . SAFE);
    }
    // The password of user:pass@
    $schemeEnd = strpos($sent, '://');
    if ($schemeEnd !== false) {
        $rest = substr($sent, $schemeEnd + 3);
        // A password holding '/', '?' or '#' ends the authority early, so look past it: a user:pass@ is a
        // first '@' with a ':' (and no '=' of a query) before it; the password ends at the last '@' before
        // the path that follows.
        $firstAt = strpos($rest, '@');
        $lastAt = false;
        if ($firstAt !== false && strpos(substr($rest, 0, $firstAt), ':') !== false
            && strpos(substr($rest, 0, $firstAt), '=') === false) {
            $pathAfter = $firstAt + first_of(substr($rest, $firstAt), '/?');
            $lastAt = strrpos(substr($rest, 0, $pathAfter), '@');
        }
        if ($lastAt !== false) {
            $userInfo = substr($rest, 0, $lastAt);
            $colon = strpos($userInfo, ':');
            $password = $colon === false ? '' : substr($userInfo, $colon + 1);
            $authorityEnd = first_of($rest, '/?#');
            if ($colon < $authorityEnd && $authorityEnd < $lastAt) {
                add($findings, 'problem', "the password in user:pass@ contains '/', '?' or '#', which ends the host"
                    . " part of a URL: cURL sends neither user nor password and asks the wrong host; percent-encode"
                    . " it (%2F, %3F, %23), or " . SAFE);
            }
            if (strpos($userInfo, '@') !== false) {
                add($findings, 'problem', "the password in user:pass@ contains '@': cURL ends the password at the"
                    . " first '@' and takes the rest for the host; write it as %40, or " . SAFE);
            }
            if (strpos($password, ':') !== false) {
                add($findings, 'info', "the password in user:pass@ contains ':': cURL sends it whole (only the first"
                    . " ':' ends the user name), but other tools split it; " . SAFE);
            }
            if (has_bad_percent($password)) {
                add($findings, 'problem', "the password in user:pass@ contains '%' not followed by two hex digits:"
                    . " it does not arrive as typed; write '%' as %25, or " . SAFE);
            } elseif (strpos($password, '%') !== false) {
                add($findings, 'info', "the password in user:pass@ contains %XX escapes: cURL decodes them before"
                    . " sending, so the service must be configured with the decoded secret");
            }
        }
    }
    // The secret= query value
    $q = strpos($sent, '?');
    if ($q !== false) {
        $parts = explode('&', substr($sent, $q + 1));
        $secrets = 0;
        foreach ($parts as $i => $part) {
            $eq = strpos($part, '=');
            $name = $eq === false ? $part : substr($part, 0, $eq);
            if (strtolower($name) !== 'secret' || $eq === false) {
                continue;
            }
            $secrets++;
            $value = substr($part, $eq + 1);
            if (strpos($value, '+') !== false) {
                add($findings, 'problem', "the secret contains '+', which arrives as a space (in a URL's query '+'"
                    . " means space): write it as %2B, or " . SAFE);
            }
            if (has_bad_percent($value)) {
                add($findings, 'problem', "the secret contains '%' not followed by two hex digits: it does not"
                    . " arrive as typed; write '%' as %25, or " . SAFE);
            }
            if (isset($parts[$i + 1]) && strpos($parts[$i + 1], '=') === false) {
                add($findings, 'problem', "the secret seems to contain '&': everything after it arrives as another"
                    . " parameter, not as part of the secret; write '&' as %26, or " . SAFE);
            }
        }
        if ($secrets > 1) {
            add($findings, 'problem', "the URL has more than one secret= parameter: a service cannot tell which is"
                . " meant (cdp-access takes neither); keep one");
        }
    }
}

/** scheme, userinfo, host, port, target of a URL, as cURL reads it; null when it is not one. */
function parse_service_url($raw) {
    if (!preg_match('~^(https?)://([^/?#]*)([^#]*)~is', $raw, $m)) {
        return null;
    }
    $https = strtolower($m[1]) === 'https';
    $authority = $m[2];
    $at = strpos($authority, '@');
    $userInfo = $at === false ? null : substr($authority, 0, $at);
    $hostPort = $at === false ? $authority : substr($authority, $at + 1);
    $portText = '';
    if (substr($hostPort, 0, 1) === '[') {
        $close = strpos($hostPort, ']');
        if ($close === false) {
            return null;
        }
        $host = substr($hostPort, 1, $close - 1);
        $rest = substr($hostPort, $close + 1);
        $portText = $rest === '' ? '' : substr($rest, 1);
    } else {
        $colon = strrpos($hostPort, ':');
        $host = $colon === false ? $hostPort : substr($hostPort, 0, $colon);
        $portText = $colon === false ? '' : substr($hostPort, $colon + 1);
    }
    if ($host === '' || ($portText !== '' && !ctype_digit($portText))) {
        return null;
    }
    $port = $portText === '' ? ($https ? 443 : 80) : (int) $portText;
    $target = $m[3] === '' ? '/' : $m[3];
    if ($target[0] === '?') {
        $target = '/' . $target;
    }
    return ['https' => $https, 'userinfo' => $userInfo, 'host' => strtolower($host), 'port' => $port,
        'target' => $target, 'raw' => $raw];
}

function url_host($u) {
    return strpos($u['host'], ':') !== false ? '[' . $u['host'] . ']' : $u['host'];
}

function authority($u) {
    return url_host($u) . ':' . $u['port'];
}

function same_origin($a, $b) {
    return $a['https'] === $b['https'] && $a['host'] === $b['host'] && $a['port'] === $b['port'];
}

/** A Location resolved against the URL it came from. */
function resolve_location($base, $location) {
    if (preg_match('~^https?://~i', $location)) {
        return $location;
    }
    $scheme = $base['https'] ? 'https' : 'http';
    if (substr($location, 0, 2) === '//') {
        return "$scheme:$location";
    }
    $origin = "$scheme://" . authority($base);
    if (substr($location, 0, 1) === '/') {
        return $origin . $location;
    }
    $path = preg_replace('~[?#].*$~s', '', $base['target']);
    if (substr($location, 0, 1) === '?') {
        return $origin . $path . $location;
    }
    return $origin . substr($path, 0, strrpos($path, '/') + 1) . $location;
}

function add(&$findings, $severity, $text) {
    $findings["$severity: $text"] = [$severity, $text];
}

function php_names($certinfo) {
    $san = '';
    $subject = '';
    foreach ($certinfo as $k => $v) {
        if (stripos($k, 'Subject Alternative Name') !== false) {
            $san = $v;
        }
        if ($k === 'Subject') {
            $subject = $v;
        }
    }
    $names = [];
    foreach (preg_split('/,\s*/', trim($san), -1, PREG_SPLIT_NO_EMPTY) as $n) {
        if (stripos($n, 'DNS:') === 0) {
            $names[] = 'dns:' . substr($n, 4);
        } elseif (stripos($n, 'IP Address:') === 0) {
            $names[] = 'ip:' . strtolower(substr($n, 11));
        }
    }
    return $names ? implode(', ', $names) : "no subject alternative names (subject $subject)";
}

function expiry_text($certinfo) {
    $t = isset($certinfo['Expire date']) ? strtotime($certinfo['Expire date']) : false;
    if ($t === false) {
        return 'expiry unknown';
    }
    $at = gmdate('Y-m-d\TH:i:s\Z', $t);
    return $t < time() ? "expired $at (REDCap's cURL does not check expiry)" : "valid until $at";
}

/** The certificate of host:port, by a handshake with the host name not checked, to say what it names. */
function fetch_certificate($u) {
    $ch = curl_init('https://' . authority($u) . '/');
    curl_setopt_array($ch, [CURLOPT_CONNECT_ONLY => true, CURLOPT_SSL_VERIFYPEER => false,
        CURLOPT_SSL_VERIFYHOST => 0, CURLOPT_CERTINFO => true, CURLOPT_CONNECTTIMEOUT => 5, CURLOPT_TIMEOUT => 5]);
    curl_exec($ch);
    $info = curl_getinfo($ch, CURLINFO_CERTINFO);
    curl_close($ch);
    return is_array($info) && isset($info[0]) ? $info[0] : null;
}

/** Whether host:port answers plain HTTP (probe: HEAD /). */
function speaks_plain_http($u) {
    $ch = curl_init('http://' . authority($u) . '/');
    curl_setopt_array($ch, [CURLOPT_NOBODY => true, CURLOPT_RETURNTRANSFER => true, CURLOPT_CONNECTTIMEOUT => 5,
        CURLOPT_TIMEOUT => 5]);
    curl_exec($ch);
    $status = curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
    curl_close($ch);
    return $status > 0;
}

/** Whether host:port answers a TLS handshake. */
function speaks_tls($u) {
    $ch = curl_init('https://' . authority($u) . '/');
    curl_setopt_array($ch, [CURLOPT_CONNECT_ONLY => true, CURLOPT_SSL_VERIFYPEER => false,
        CURLOPT_SSL_VERIFYHOST => 0, CURLOPT_CONNECTTIMEOUT => 5, CURLOPT_TIMEOUT => 5]);
    $ok = curl_exec($ch) !== false;
    curl_close($ch);
    return $ok;
}

/** One call with REDCap's http_post() options; every hop's status line and headers kept. */
function redcap_post($url, $body, $timeout) {
    $hops = [];
    $ch = curl_init($url);
    curl_setopt($ch, CURLOPT_POST, true);
    curl_setopt($ch, CURLOPT_POSTFIELDS, $body);
    curl_setopt($ch, CURLOPT_RETURNTRANSFER, true);
    curl_setopt($ch, CURLOPT_SSL_VERIFYPEER, false);      // chain not verified; VERIFYHOST stays at 2
    curl_setopt($ch, CURLOPT_CONNECTTIMEOUT, 30);
    curl_setopt($ch, CURLOPT_FRESH_CONNECT, true);
    curl_setopt($ch, CURLOPT_FOLLOWLOCATION, true);
    curl_setopt($ch, CURLOPT_MAXREDIRS, MAX_REDIRECTS);
    curl_setopt($ch, CURLOPT_AUTOREFERER, true);
    curl_setopt($ch, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
    curl_setopt($ch, CURLOPT_HTTPHEADER, ['Expect:']);
    curl_setopt($ch, CURLOPT_TIMEOUT, $timeout);
    if (defined('CURLOPT_CERTINFO')) {
        curl_setopt($ch, CURLOPT_CERTINFO, true);
    }
    curl_setopt($ch, CURLOPT_HEADERFUNCTION, function ($ch, $line) use (&$hops) {
        $trimmed = rtrim($line, "\r\n");
        if (preg_match('~^HTTP/\S+\s+(\d{3})~', $trimmed, $m)) {
            $hops[] = ['status' => (int) $m[1], 'headers' => []];
        } elseif ($trimmed !== '' && $hops && strpos($trimmed, ':') !== false) {
            list($name, $value) = explode(':', $trimmed, 2);
            $hops[count($hops) - 1]['headers'][strtolower(trim($name))][] = trim($value);
        }
        return strlen($line);
    });
    $answer = curl_exec($ch);
    $result = [
        'body' => $answer === false ? null : $answer,
        'errno' => curl_errno($ch),
        'error' => curl_error($ch),
        'ms' => (int) round(curl_getinfo($ch, CURLINFO_TOTAL_TIME) * 1000),
        'connect_time' => curl_getinfo($ch, CURLINFO_CONNECT_TIME),
        'redirects' => curl_getinfo($ch, CURLINFO_REDIRECT_COUNT),
        'effective' => curl_getinfo($ch, CURLINFO_EFFECTIVE_URL),
        'certinfo' => defined('CURLINFO_CERTINFO') ? curl_getinfo($ch, CURLINFO_CERTINFO) : [],
    ];
    curl_close($ch);
    // Interim answers (100 Continue) are not hops.
    $result['hops'] = array_values(array_filter($hops, function ($h) { return $h['status'] >= 200; }));
    return $result;
}

function header_of($hop, $name) {
    return isset($hop['headers'][$name][0]) ? $hop['headers'][$name][0] : null;
}

function failed($call) {
    if ($call['body'] === null || !$call['hops']) {
        return true;
    }
    $status = $call['hops'][count($call['hops']) - 1]['status'];
    return $status == 404 || $status == 407 || $status >= 500;
}

function would_store($call) {
    return !failed($call) && trim($call['body']) === '1' ? '1' : '0';
}

function answer_text($hop, $body) {
    $b = trim($body);
    if (strlen($b) > 60) {
        $b = substr($b, 0, 60) . '...';
    }
    $b = preg_replace('/[\x00-\x1f\x7f]/', '?', $b);
    $reason = header_of($hop, 'x-decision-reason');
    return $hop['status'] . ' "' . $b . '"' . ($reason !== null ? " (X-Decision-Reason: $reason)" : '');
}

function describe($label, $pasted, $call, &$findings) {
    // The URL of each hop, as cURL followed them.
    $urls = [$pasted];
    foreach ($call['hops'] as $i => $hop) {
        $loc = header_of($hop, 'location');
        if ($loc !== null && in_array($hop['status'], [301, 302, 303, 307, 308]) && $i + 1 < count($call['hops'])) {
            $next = parse_service_url(resolve_location($urls[$i], $loc));
            $urls[] = $next === null ? $urls[$i] : $next;
        }
    }
    $last = $urls[count($urls) - 1];
    $ok = $call['body'] !== null;
    if ($ok && $last['https'] && is_array($call['certinfo']) && isset($call['certinfo'][0])) {
        $c = $call['certinfo'][0];
        add($findings, 'info', 'certificate of ' . authority($last) . ': ' . php_names($c) . '; ' . expiry_text($c));
        add($findings, 'ok', 'the certificate of ' . url_host($last) . ' names it (REDCap checks the host name,'
            . ' though not the chain)');
    }
    $final = mask($last['raw']);
    foreach ($call['hops'] as $i => $hop) {
        $loc = header_of($hop, 'location');
        if ($loc === null || !in_array($hop['status'], [301, 302, 303, 307, 308]) || $i + 1 >= count($urls)) {
            continue;
        }
        $from = mask($urls[$i]['raw']);
        if (in_array($hop['status'], [301, 302, 303])) {
            add($findings, 'problem', "redirect {$hop['status']} from $from to " . mask($loc) . ': 301/302/303 makes'
                . ' REDCap re-send without the body: every user is denied while the Test button shows Success! —'
                . ' paste the final ' . (stripos($final, 'https:') === 0 ? 'https:// ' : '') . "URL into REDCap: $final");
        } else {
            add($findings, 'info', "redirect {$hop['status']} from $from to " . mask($loc) . ': 307/308 keep the'
                . " method and body, but each call pays a round trip; paste the final URL into REDCap: $final");
        }
        if ($pasted['userinfo'] !== null && !same_origin($urls[$i + 1], $pasted)) {
            add($findings, 'problem', 'the redirect to ' . authority($urls[$i + 1]) . ' changes the scheme, host or'
                . ' port, so cURL does not send the user:pass@ credentials there: the service sees none');
        }
    }
    if (!$ok) {
        describe_failure($label, $last, $call, $findings);
        add($findings, 'info', "$label: no answer after {$call['ms']} ms"
            . ($label === TEST ? '; the DDP Test button would show an error' : ''));
        return;
    }
    $hop = $call['hops'][count($call['hops']) - 1];
    add($findings, 'info', "$label: " . answer_text($hop, $call['body']) . " in {$call['ms']} ms"
        . ($label === TEST ? (failed($call) ? '; the DDP Test button would show an error'
            : '; the DDP Test button would show Success!') : ''));
}

function describe_failure($label, $u, $call, &$findings) {
    $where = authority($u);
    $errno = $call['errno'];
    $error = $call['error'];
    if ($errno == 6) {
        $text = "cannot connect: unknown host {$u['host']} (this host's DNS cannot resolve it): check the spelling";
    } elseif ($errno == 7 && !preg_match('/route|unreachable/i', $error)) {
        $text = "cannot connect to $where: connection refused (nothing listens there, or a firewall rejects it):"
            . " check the host, the port and that the service runs";
    } elseif ($errno == 28 && $call['connect_time'] == 0) {
        $text = "cannot connect to $where: no connection in time (a firewall dropping packets, or the wrong"
            . " address); REDCap waits 30 s, then denies the user";
    } elseif ($errno == 28) {
        $text = "$label: connected to $where but no answer in time: the DDP Test button gives up after 10 s, and"
            . " REDCap has no total timeout, so a user's page hangs";
    } elseif ($errno == 47) {
        $text = 'more than ' . MAX_REDIRECTS . ' redirects: cURL gives up and the call fails';
    } elseif ($errno == 60 || $errno == 51) {
        $c = is_array($call['certinfo']) && isset($call['certinfo'][0]) ? $call['certinfo'][0] : fetch_certificate($u);
        $names = $c === null ? 'unknown names' : php_names($c);
        if ($c !== null) {
            add($findings, 'info', "certificate of $where: $names; " . expiry_text($c));
        }
        $text = "the certificate of $where does not name {$u['host']} (it covers $names): REDCap checks the host"
            . " name though not the chain, so every call fails and every user is denied; use a host name the"
            . " certificate covers, or a certificate (self-signed will do) whose subject alternative names include"
            . " {$u['host']}";
    } elseif ($u['https'] && $errno == 35 && speaks_plain_http($u)) {
        $text = "cannot connect: $where speaks plain HTTP but the URL says https:// (TLS spoken to a plain HTTP"
            . " port): use http://, or turn on TLS in the service";
    } elseif ($u['https'] && $errno == 35) {
        $text = "cannot connect to $where: the TLS handshake failed ($error)";
    } elseif (!$u['https'] && in_array($errno, [1, 8, 52, 56]) && speaks_tls($u)) {
        $text = "cannot connect: $where speaks HTTPS but the URL says http:// (plain HTTP spoken to an HTTPS"
            . " port): use https://";
    } elseif (in_array($errno, [1, 8, 52, 56])) {
        $text = "$label: $where gave no HTTP answer ($error)";
    } elseif ($errno == 3) {
        $text = "REDCap cannot call this URL: $error";
    } else {
        $text = "cannot connect to $where: $error";
    }
    add($findings, 'problem', $text);
}

/** Refusals before any decision, by the service's reason header, else by status. True when one was found. */
function refusal($hop, $url, &$findings) {
    static $refusals = [
        'address-not-allowed' => "the service does not accept calls from this host's address (the instance's"
            . " allow_from): add REDCap's web server or outbound proxy, as the service sees it",
        'rate-limited' => 'the service locked this address out after too many failed authentications: fix the'
            . ' secret, then wait for the window to refill',
        'method-not-allowed' => 'the service got the call with another method than POST (a redirect turned it into'
            . ' a GET): paste the final URL into REDCap',
        'body-too-large' => 'the service refused the body as too large',
        'redirected-without-body' => 'the service got the call without its body after a redirect: every user would'
            . ' be denied; paste the final URL into REDCap',
    ];
    $reason = header_of($hop, 'x-decision-reason');
    $recorded = header_of($hop, 'x-decision-id') !== null;
    if ($reason === 'unauthenticated' || ($reason === null && ($hop['status'] == 401 || $hop['status'] == 403))) {
        add($findings, 'problem', ($reason !== null ? 'the service refused the secret (unauthenticated)'
                : "answered {$hop['status']}: most likely a wrong or missing secret")
            . ": the secret in the URL is wrong or missing; paste the URL with the instance's secret (cdp-access"
            . ' serve prints it on its first run)');
        return true;
    }
    if ($reason !== null && isset($refusals[$reason])) {
        add($findings, 'problem', $refusals[$reason] . " ($reason)");
        return true;
    }
    if ($hop['status'] == 404 && !$recorded) {
        $path = preg_replace('~\?.*$~s', '', $url['target']);
        add($findings, 'problem', "404 without X-Decision-Id: nothing answers at $path on this server (a wrong"
            . ' path? cdp-access answers at /user-access), or it is not a User Access service');
        return true;
    }
    return false;
}

function final_url($pasted, $call) {
    $u = parse_service_url($call['effective']);
    return $u === null ? $pasted : $u;
}

// ---- main ----

$args = array_slice($argv, 1);
$url = null;
$opts = [];
for ($i = 0; $i < count($args); $i++) {
    $a = $args[$i];
    if (preg_match('/^--(redcap-url|user|project-id)(?:=(.*))?$/s', $a, $m)) {
        if (isset($m[2])) {
            $opts[$m[1]] = $m[2];
        } elseif ($i + 1 < count($args)) {
            $opts[$m[1]] = $args[++$i];
        } else {
            usage_error("missing value for --{$m[1]}");
        }
    } elseif ($a === '--help' || $a === '-h') {
        fwrite(STDOUT, "usage: php cdp-access-doctor.php URL [--redcap-url R --user U --project-id P]\n");
        exit(0);
    } elseif (substr($a, 0, 2) === '--') {
        usage_error("unknown option '$a'");
    } elseif ($url === null) {
        $url = $a;
    } else {
        usage_error('only one URL, please');
    }
}
if ($url === null) {
    usage_error("missing the URL (the URL as pasted into REDCap)");
}
if (!preg_match('~^\s*https?://~i', $url)) {
    usage_error('URL must start with http:// or https:// (the URL as pasted into REDCap)');
}
if (!extension_loaded('curl')) {
    fwrite(STDERR, "cdp-access-doctor: PHP's cURL extension is missing (apt-get install php-curl)\n");
    exit(2);
}
$sample = null;
if ($opts) {
    $missing = array_diff(['redcap-url', 'user', 'project-id'], array_keys($opts));
    if ($missing) {
        usage_error('--redcap-url, --user and --project-id go together; missing: --' . implode(', --', $missing));
    }
    if (!preg_match('/^[1-9][0-9]*$/', $opts['project-id'])) {
        usage_error('--project-id must be a positive decimal number, as REDCap sends it');
    }
    // REDCap lower-cases the login name with PHP's ASCII-only strtolower.
    $sample = ['user' => strtr($opts['user'], 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'),
        'project_id' => $opts['project-id'], 'redcap_url' => $opts['redcap-url']];
}

$url = trim($url);
$findings = [];
add($findings, 'info', 'checking ' . mask($url) . " as REDCap's http_post() calls it (PHP cURL, HTTP/1.1, a new"
    . ' connection per call, the host name checked but not the chain)');
url_secret_check($url, $findings);
$pasted = parse_service_url($url);
$works = false;
$store = '0';
if ($pasted === null) {
    add($findings, 'problem', 'REDCap cannot call this URL: ' . mask($url) . ' has no usable host and port');
} else {
    if ($pasted['userinfo'] !== null) {
        add($findings, 'info', 'the URL carries user:pass@ credentials (sent as HTTP Basic): DDP Custom takes them,'
            . " but CDP's settings page refuses such URLs; for CDP use ?secret= instead");
    } elseif (!preg_match('~[?&]secret=~i', $pasted['target'])) {
        add($findings, 'info', 'the URL carries no secret (neither ?secret= nor user:pass@): REDCap sends no'
            . ' credentials of its own, so the service can tell it from anyone else only by address');
    }
    if ($pasted['host'] === 'localhost') {
        add($findings, 'info', "CDP's settings page refuses localhost URLs; 127.0.0.1 works the same");
    }
    if (!$pasted['https'] && !preg_match('/^(localhost|127\..*|::1)$/', $pasted['host'])) {
        add($findings, 'info', 'plain http:// to another host: the secret crosses the network readable; use https://');
    }

    $test = redcap_post($url, '', TEST_TIMEOUT);
    describe(TEST, $pasted, $test, $findings);
    $testAnswered = false;
    if ($test['body'] !== null && $test['hops']) {
        $hop = $test['hops'][count($test['hops']) - 1];
        $body = trim($test['body']);
        $testAnswered = $hop['status'] == 200 && $body === '0';
        if (!refusal($hop, final_url($pasted, $test), $findings)) {
            if ($testAnswered) {
                add($findings, 'ok', "the Test button's empty POST was answered 200 0, as a working service answers it");
            } elseif ($hop['status'] == 200 && $body === '1') {
                add($findings, 'problem', 'the service answers 1 to an empty POST (no user, no project): it would'
                    . ' let anyone through; it must answer 0');
            } elseif (failed($test)) {
                add($findings, 'problem', "the Test button's empty POST failed (" . answer_text($hop, $test['body'])
                    . '): REDCap counts that as a failure and would deny every user');
            } else {
                add($findings, 'problem', "the Test button's empty POST was answered " . answer_text($hop, $test['body'])
                    . ": a working service answers it with 200 0 (REDCap's Test button shows Success! all the same)");
            }
        }
    }
    $last = $test;
    if ($sample !== null && $test['body'] !== null) {
        if (substr($sample['redcap_url'], -1) !== '/') {
            add($findings, 'info', "REDCap sends its base URL with a trailing slash; {$sample['redcap_url']} has none,"
                . ' so the service may not recognise it');
        }
        $call = redcap_post($url, http_build_query($sample), SAMPLE_TIMEOUT);
        $label = "sample POST (user={$sample['user']} project_id={$sample['project_id']}"
            . " redcap_url={$sample['redcap_url']})";
        describe($label, $pasted, $call, $findings);
        if ($call['body'] !== null && $call['hops']) {
            $hop = $call['hops'][count($call['hops']) - 1];
            if (!refusal($hop, final_url($pasted, $call), $findings)) {
                $reason = header_of($hop, 'x-decision-reason');
                $why = $reason === null ? '' : " ($reason)";
                $who = "{$sample['user']} in project {$sample['project_id']}";
                $body = trim($call['body']);
                if ($reason === 'instance-mismatch') {
                    add($findings, 'problem', "the service does not accept redcap_url {$sample['redcap_url']} with"
                        . " this secret (instance-mismatch): bind the instance to REDCap's base URL exactly as"
                        . ' REDCap sends it (with the trailing slash), or use the secret of the instance that has it');
                } elseif ($reason === 'bad-request') {
                    add($findings, 'problem', 'the service could not read the sample request (bad-request)');
                } elseif (failed($call)) {
                    add($findings, 'problem', 'the sample call failed (' . answer_text($hop, $call['body'])
                        . "): REDCap would deny $who for the rest of their session");
                } elseif ($hop['status'] == 200 && $body === '1') {
                    add($findings, 'ok', "the service allows $who$why");
                } elseif ($hop['status'] == 200 && $body === '0') {
                    add($findings, 'info', "the service denies $who$why: a working call; grant access if the user"
                        . ' should have it');
                } else {
                    add($findings, 'problem', 'the sample was answered ' . answer_text($hop, $call['body'])
                        . ': not a decided answer (200 with 1 or 0)');
                }
            }
        }
        $last = $call;
    }
    add($findings, 'info', "REDCap sets no total timeout on these calls (a service that hangs blocks the user's"
        . ' page), and the DDP Test button gives up after ' . TEST_TIMEOUT . ' s');
    $store = would_store($last);
    $problems = count(array_filter($findings, function ($f) { return $f[0] === 'problem'; }));
    $works = $testAnswered && $problems === 0;
}
foreach ($findings as $line => $f) {
    echo $line, "\n";
}
$problems = count(array_filter($findings, function ($f) { return $f[0] === 'problem'; }));
echo "REDCap would store $store\n";
echo $works ? "result: REDCap's calls to this URL would work\n"
    : "result: REDCap's calls to this URL would not work ($problems problem" . ($problems == 1 ? '' : 's') . ")\n";
exit($works ? 0 : 1);
