// Every command the UI may call, by the module of `src-tauri/src/commands/` it lives in: the
// one list the invoke handler (lib.rs), each command's permission (build.rs) and the window's
// capability (a test checks it grants exactly these) are made from. A new command is its
// function plus its name here. Included by build.rs too, so it holds nothing but the list.
macro_rules! command_list {
    ($then:ident) => {
        $then! {
            profiles: profiles, test_connection, save_profile, update_profile, select_profile,
                remove_profile;
            sign_in: sign_in_with_browser, sign_out;
            sync: status, sync_now, capabilities, mark_ready;
            catalog: catalog, rules, offers;
            invitations: invitation_window, invitation_counts, invitation_ids, invite_candidates,
                check_invite, invite, resend, revoke, edit_invitation, delete_invitation;
            users: user_window, user_counts, user_ids, user_by_email, edit_user, inactivate, reactivate,
                delete_user;
            export: export_csv;
            activity: activity_window, activity_actors, record_history, export_activity;
            my_invitations: my_invitations, answer_invitation;
            import: import_open_file, import_reload, import_preview, import_send,
                save_import_template;
            bulk: bulk_run;
            job: cancel_job, export_job_results;
            about: about, open_log_folder;
            updates: check_update, install_update;
        }
    };
}
