package io.cdpaccess.config;

/** A fact source kind's own settings; one record per kind. */
public sealed interface SourceSettings
        permits LdapSettings, RedcapDbSettings, RosterSettings, SqlSettings, WebSettings {

    /** The kind as written in {@code type:}. */
    String type();
}
