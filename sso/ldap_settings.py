"""django-auth-ldap settings from the environment (read by bankpm.settings.base when AUTH_LDAP_SERVER_URI is set)."""


def ldap_settings(env) -> dict:
    import ldap
    from django_auth_ldap.config import GroupOfNamesType, LDAPSearch, NestedActiveDirectoryGroupType

    active_directory = env.bool("AUTH_LDAP_ACTIVE_DIRECTORY", default=False)
    user_filter = "(sAMAccountName=%(user)s)" if active_directory else "(uid=%(user)s)"
    group_filter = "(objectClass=group)" if active_directory else "(objectClass=groupOfNames)"
    return {
        "AUTH_LDAP_BIND_DN": env("AUTH_LDAP_BIND_DN", default=""),
        "AUTH_LDAP_BIND_PASSWORD": env("AUTH_LDAP_BIND_PASSWORD", default=""),
        "AUTH_LDAP_USER_SEARCH": LDAPSearch(env("AUTH_LDAP_USER_BASE"), ldap.SCOPE_SUBTREE,
                                            env("AUTH_LDAP_USER_FILTER", default=user_filter)),
        "AUTH_LDAP_GROUP_SEARCH": LDAPSearch(env("AUTH_LDAP_GROUP_BASE"), ldap.SCOPE_SUBTREE,
                                             env("AUTH_LDAP_GROUP_FILTER", default=group_filter)),
        "AUTH_LDAP_GROUP_TYPE": NestedActiveDirectoryGroupType() if active_directory else GroupOfNamesType(),
        "AUTH_LDAP_USER_ATTR_MAP": {"first_name": "givenName", "last_name": "sn", "email": "mail"},
        "AUTH_LDAP_START_TLS": env.bool("AUTH_LDAP_START_TLS", default=False),
        "AUTH_LDAP_ALWAYS_UPDATE_USER": True,
        "AUTH_LDAP_MIRROR_GROUPS": False,
    }
